/// Splits a `command =` value into argv by simple quoting rules, never through a shell:
/// whitespace separates words; `'...'` keeps everything literally; `"..."` keeps
/// everything but lets `\"` and `\\` escape; a backslash outside quotes escapes the next character.
public enum CommandWords {
    public struct SplitError: Error, Sendable, Hashable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    public static func split(_ text: String) -> Result<[String], SplitError> {
        var words: [String] = []
        var current = ""
        var inWord = false
        var it = text.makeIterator()
        while let c = it.next() {
            switch c {
            case " ", "\t", "\n":
                if inWord { words.append(current); current = ""; inWord = false }
            case "'":
                inWord = true
                var closed = false
                while let d = it.next() {
                    if d == "'" { closed = true; break }
                    current.append(d)
                }
                if !closed { return .failure(SplitError(message: "unterminated single quote")) }
            case "\"":
                inWord = true
                var closed = false
                while let d = it.next() {
                    if d == "\"" { closed = true; break }
                    if d == "\\" {
                        guard let e = it.next() else { break }
                        if e != "\"" && e != "\\" { current.append("\\") }
                        current.append(e)
                    } else {
                        current.append(d)
                    }
                }
                if !closed { return .failure(SplitError(message: "unterminated double quote")) }
            case "\\":
                guard let e = it.next() else { return .failure(SplitError(message: "backslash at the end")) }
                inWord = true
                current.append(e)
            default:
                inWord = true
                current.append(c)
            }
        }
        if inWord { words.append(current) }
        return .success(words)
    }
}
