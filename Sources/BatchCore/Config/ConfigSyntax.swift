import Platform

/// One `key = value` line.
struct ConfigEntry: Sendable {
    var key: String
    /// The value without its comment, and unquoted when it was one double-quoted string.
    var value: String
    /// The value without its comment, quotes kept (commands split it themselves).
    var raw: String
    var file: String
    var line: Int
}

/// A `[section]` or `[section "name"]` and the entries under it; `kind` is empty
/// for the entries before the first header.
struct ConfigBlock: Sendable {
    var kind: String
    var name: String?
    var file: String
    var line: Int
    var entries: [ConfigEntry] = []

    /// `[job "report"]`, `[redis]`, or `top level` for the entries before any header.
    var title: String {
        if kind.isEmpty { return "the top level" }
        if let n = name { return "[\(kind) \"\(n)\"]" }
        return "[\(kind)]"
    }
}

/// The line syntax of batch.conf: headers, entries, comments, quoting. Knows no key names.
enum ConfigSyntax {
    static func parse(text: String, file: String, into sink: inout DiagnosticSink) -> [ConfigBlock] {
        var blocks = [ConfigBlock(kind: "", name: nil, file: file, line: 0)]
        var lineNo = 0
        // "\r\n" is one Character in Swift, so it must be named as a separator of its own.
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNo += 1
            let line = rawLine.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                switch parseHeader(line) {
                case .success(let (kind, name)):
                    blocks.append(ConfigBlock(kind: kind, name: name, file: file, line: lineNo))
                case .failure(let problem):
                    sink.add(file, lineNo, problem.message)
                    // Keep reading, but entries of a broken header must not land in the previous section.
                    blocks.append(ConfigBlock(kind: "!invalid", name: nil, file: file, line: lineNo))
                }
                continue
            }
            switch parseEntry(line) {
            case .success(let (key, value, raw)):
                blocks[blocks.count - 1].entries.append(ConfigEntry(key: key, value: value, raw: raw, file: file, line: lineNo))
            case .failure(let problem):
                sink.add(file, lineNo, problem.message)
            }
        }
        return blocks
    }

    struct Problem: Error { var message: String }

    private static func isNameChar(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || c == "-" || c == "_")
    }

    static func parseHeader(_ line: String) -> Result<(String, String?), Problem> {
        let shape = "malformed section header \(line) (expected [name] or [name \"label\"])"
        var rest = Substring(line.dropFirst())
        rest = rest.drop(while: { $0 == " " || $0 == "\t" })
        let kind = String(rest.prefix(while: isNameChar))
        guard !kind.isEmpty else { return .failure(Problem(message: shape)) }
        rest = rest.dropFirst(kind.count).drop(while: { $0 == " " || $0 == "\t" })
        var name: String?
        if rest.first == "\"" {
            rest = rest.dropFirst()
            var label = ""
            var closed = false
            while let c = rest.first {
                rest = rest.dropFirst()
                if c == "\\" {
                    guard let next = rest.first, next == "\"" || next == "\\" else {
                        return .failure(Problem(message: "bad escape in section name of \(line) (only \\\" and \\\\ are allowed)"))
                    }
                    label.append(next); rest = rest.dropFirst()
                } else if c == "\"" {
                    closed = true; break
                } else {
                    label.append(c)
                }
            }
            guard closed else { return .failure(Problem(message: "unterminated quote in section header \(line)")) }
            guard !label.isEmpty else { return .failure(Problem(message: "empty name in section header \(line)")) }
            name = label
            rest = rest.drop(while: { $0 == " " || $0 == "\t" })
        }
        guard rest.first == "]" else { return .failure(Problem(message: shape)) }
        let trailing = rest.dropFirst().trimmingWhitespace()
        guard trailing.isEmpty || trailing.hasPrefix("#") || trailing.hasPrefix(";") else {
            return .failure(Problem(message: "unexpected text \"\(trailing)\" after section header"))
        }
        return .success((kind, name))
    }

    /// At most the first word of a line that did not read, cut to 20 characters: enough to find
    /// the line, never the rest of it (an included file may be one that holds secrets).
    static func excerpt(_ text: some StringProtocol) -> String {
        let word = text.trimmingWhitespace().prefix { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
        if word.isEmpty { return "a line that starts with \(ParamSpec.quote(String(text.trimmingWhitespace().prefix(1))))" }
        return "\"" + word.prefix(20) + (word.count > 20 || word.count < text.trimmingWhitespace().count ? "...\"" : "\"")
    }

    static func parseEntry(_ line: String) -> Result<(String, String, String), Problem> {
        guard let eq = line.firstIndex(of: "=") else {
            return .failure(Problem(message: "expected \"key = value\", a [section] header or a comment, found \(excerpt(line))"))
        }
        let key = line[..<eq].trimmingWhitespace()
        guard !key.isEmpty else { return .failure(Problem(message: "missing key before \"=\"")) }
        guard key.allSatisfy({ isNameChar($0) || $0 == "." }) else {
            return .failure(Problem(message: "invalid key \(excerpt(key)) (keys use letters, digits, '-', '_' and '.')"))
        }
        guard key.count <= 64 else {
            return .failure(Problem(message: "key \(excerpt(key)) is longer than 64 characters"))
        }
        let raw = stripComment(line[line.index(after: eq)...]).trimmingWhitespace()
        switch unquote(raw) {
        case .success(let value): return .success((key, value, raw))
        case .failure(let p): return .failure(Problem(message: "\(p.message) in value of \"\(key)\""))
        }
    }

    /// Cuts a `#` comment that follows whitespace outside quotes. Single quotes protect
    /// only when they pair up, so an apostrophe in prose (`don't # note`) does not hide a comment.
    static func stripComment(_ s: Substring) -> Substring {
        if let cut = commentStart(s, singleQuotes: true) { return s[..<cut] }
        if let cut = commentStart(s, singleQuotes: false), hasUnpairedSingleQuote(s) { return s[..<cut] }
        return s
    }

    private static func commentStart(_ s: Substring, singleQuotes: Bool) -> Substring.Index? {
        var inDouble = false, inSingle = false
        var escaped = false
        var prevIsSpace = true
        for i in s.indices {
            let c = s[i]
            if escaped { escaped = false; prevIsSpace = false; continue }
            if c == "\\" && !inSingle { escaped = true; prevIsSpace = false; continue }
            if c == "\"" && !inSingle { inDouble.toggle() }
            if c == "'" && singleQuotes && !inDouble { inSingle.toggle() }
            if c == "#" && !inDouble && !inSingle && prevIsSpace { return i }
            prevIsSpace = c == " " || c == "\t"
        }
        return nil
    }

    private static func hasUnpairedSingleQuote(_ s: Substring) -> Bool {
        var inDouble = false, inSingle = false, escaped = false
        for c in s {
            if escaped { escaped = false; continue }
            if c == "\\" && !inSingle { escaped = true; continue }
            if c == "\"" && !inSingle { inDouble.toggle() }
            if c == "'" && !inDouble { inSingle.toggle() }
        }
        return inSingle
    }

    /// A value that is one double-quoted string loses its quotes and escapes
    /// (`\"`, `\\`, `\n`, `\t`); any other value is returned as it is.
    static func unquote(_ raw: String) -> Result<String, Problem> {
        guard raw.first == "\"" else { return .success(raw) }
        var out = ""
        var i = raw.index(after: raw.startIndex)
        while i < raw.endIndex {
            let c = raw[i]
            if c == "\\" {
                let n = raw.index(after: i)
                guard n < raw.endIndex else { break }
                switch raw[n] {
                case "\"": out.append("\"")
                case "\\": out.append("\\")
                case "n": out.append("\n")
                case "t": out.append("\t")
                default: return .failure(Problem(message: "unknown escape \\\(raw[n])"))
                }
                i = raw.index(after: n)
                continue
            }
            if c == "\"" {
                // A quote that closes before the end means the value only starts with a quoted word.
                return raw.index(after: i) == raw.endIndex ? .success(out) : .success(raw)
            }
            out.append(c)
            i = raw.index(after: i)
        }
        return .failure(Problem(message: "unterminated double quote"))
    }
}
