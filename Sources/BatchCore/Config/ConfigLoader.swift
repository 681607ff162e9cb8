import FoundationEssentials

/// Reads configuration files and follows their includes, collecting every problem.
struct ConfigLoader {
    var sink = DiagnosticSink()
    private(set) var blocks: [ConfigBlock] = []
    /// Every file read, in the order reading began (an including file before its includes).
    private(set) var files: [String] = []
    /// Canonical paths of the files being read, to refuse include cycles.
    private var stack: [String] = []

    /// Reads `path`. `origin` is the include line that named it, for error messages.
    mutating func load(path: String, origin: (file: String, line: Int)?) {
        let canonical = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        if stack.contains(canonical) {
            let o = origin ?? (path, 0)
            sink.add(o.file, o.line, "include cycle: \(path) includes itself (through \(stack.joined(separator: " -> ")))")
            return
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            let why = FileManager.default.fileExists(atPath: path)
                ? "cannot read \(path) (check its permissions and that it is UTF-8 text)"
                : "no such file: \(path)"
            if let o = origin { sink.add(o.file, o.line, why) } else { sink.add(path, 0, why) }
            return
        }
        files.append(path)
        stack.append(canonical)
        load(text: text, file: path)
        stack.removeLast()
    }

    /// Reads configuration text that came from `file` (a path or a label).
    mutating func load(text: String, file: String) {
        // Editors on some systems start UTF-8 files with a byte order mark; it is not content.
        let body = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        for block in ConfigSyntax.parse(text: body, file: file, into: &sink) {
            switch block.kind {
            case "":
                for e in block.entries {
                    if e.key == "include" {
                        include(e)
                    } else {
                        sink.add(e.file, e.line, "key \(ConfigSyntax.excerpt(e.key)) outside any section (put it under a [section] header)")
                    }
                }
            case "include":
                if let n = block.name {
                    sink.add(file, block.line, "[include] takes no name (found [include \"\(n)\"])")
                }
                for e in block.entries {
                    if e.key == "path" {
                        include(e)
                    } else {
                        sink.add(e.file, e.line, "unknown key \"\(e.key)\" in [include] (did you mean \"path\"?)")
                    }
                }
            case "!invalid":
                continue
            default:
                blocks.append(block)
            }
        }
    }

    private mutating func include(_ e: ConfigEntry) {
        guard !e.value.isEmpty else {
            sink.add(e.file, e.line, "empty include path (give a file or a pattern such as jobs.d/*.conf)")
            return
        }
        let base = URL(fileURLWithPath: e.file).deletingLastPathComponent().path
        switch Self.expand(pattern: e.value, relativeTo: base) {
        case .success(let paths):
            for p in paths { load(path: p, origin: (e.file, e.line)) }
        case .failure(let p):
            sink.add(e.file, e.line, p.message)
        }
    }

    /// The files a pattern names, sorted. Wildcards (`*`, `?`) are allowed in the
    /// last path component only; a pattern that matches nothing is no error, a
    /// plain path that does not exist is (reported when it is read).
    static func expand(pattern: String, relativeTo base: String) -> Result<[String], ConfigSyntax.Problem> {
        let full = pattern.hasPrefix("/") ? pattern : base + "/" + pattern
        let (dir, name) = splitPath(full)
        let wild: (String) -> Bool = { $0.contains("*") || $0.contains("?") }
        if wild(dir) {
            return .failure(.init(message: "wildcards are allowed only in the file name of an include (\"\(pattern)\")"))
        }
        guard wild(name) else { return .success([full]) }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        let matched = names.filter { !$0.hasPrefix(".") && globMatch(Array(name), Array($0)) }.sorted()
        return .success(matched.map { dir + "/" + $0 }.filter { path in
            var isDir = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && !isDir
        })
    }

    /// The folder and the last component of a path, as NSString's `deletingLastPathComponent`
    /// and `lastPathComponent` give them: repeated and trailing slashes do not count.
    static func splitPath(_ path: String) -> (folder: String, name: String) {
        var parts = path.split(separator: "/").map(String.init)
        let root = path.hasPrefix("/") ? "/" : ""
        guard let name = parts.popLast() else { return (root, root) }
        return (parts.isEmpty ? root : root + parts.joined(separator: "/"), name)
    }

    static func globMatch(_ p: [Character], _ s: [Character]) -> Bool {
        var pi = 0, si = 0
        var star = -1, mark = 0
        while si < s.count {
            if pi < p.count, p[pi] == "?" || p[pi] == s[si] {
                pi += 1; si += 1
            } else if pi < p.count, p[pi] == "*" {
                star = pi; mark = si; pi += 1
            } else if star >= 0 {
                pi = star + 1; mark += 1; si = mark
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}
