import FoundationEssentials
import Platform

extension ParamSpec {
    private static let attributeWords = ["required", "optional", "int", "pattern", "enum", "string", "default", "max-length", "allow-control"]

    /// Reads a declaration such as `required, int 0..3600, default 1`.
    /// Throws a message naming the part that is wrong.
    public init(name: String, declaration: String) throws(ParamDeclarationError) {
        self.init(name: name)
        var typeSeen: String?
        for part in Self.splitDeclaration(declaration) {
            let word = String(part.prefix(while: { $0 != " " && $0 != "\t" }))
            let arg = part.dropFirst(word.count).trimmingWhitespace()
            func noArgument() throws(ParamDeclarationError) {
                if !arg.isEmpty { throw .init("\"\(word)\" takes no value (found \"\(part)\")") }
            }
            func setType(_ t: ParamType) throws(ParamDeclarationError) {
                if let seen = typeSeen { throw .init("more than one type (\(seen) and \(word)); give one of int, pattern, enum, string") }
                typeSeen = word
                type = t
            }
            switch word.lowercased() {
            case "required": try noArgument(); required = true
            case "optional": try noArgument(); required = false
            case "string": try noArgument(); try setType(.string)
            case "int": try setType(try Self.intRange(arg))
            case "pattern":
                guard !arg.isEmpty else { throw .init("\"pattern\" needs a regular expression, as in pattern ^[a-z]+$") }
                do { _ = try Regex(arg) } catch {
                    throw .init("invalid regular expression \(arg) (\(error))")
                }
                try setType(.pattern(arg))
            case "enum":
                let words = arg.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingWhitespace() }
                guard !words.isEmpty, !words.contains(where: \.isEmpty) else {
                    throw .init("\"enum\" needs words separated by |, as in enum KRW|USD")
                }
                try setType(.oneOf(words))
            case "default":
                defaultValue = arg
            case "allow-control": try noArgument(); allowControl = true
            case "max-length":
                guard let n = Int(arg), n > 0 else { throw .init("\"max-length\" needs a positive number, found \"\(arg)\"") }
                maxLength = n
            default:
                let hint = Suggestion.closest(to: word, in: Self.attributeWords).map { " (did you mean \"\($0)\"?)" } ?? ""
                throw .init("unknown attribute \"\(word)\"\(hint); use required, int MIN..MAX, pattern REGEX, enum A|B, string, default VALUE, max-length N, allow-control")
            }
        }
        if required, defaultValue != nil {
            throw .init("a required parameter cannot have a default (drop one of them)")
        }
        if let d = defaultValue, let p = problem(with: d) {
            throw .init("default \(p)")
        }
    }

    /// Splits on commas, but a comma followed by something that is not an attribute
    /// word belongs to the previous part, so `pattern ^a{1,3}$` stays whole.
    static func splitDeclaration(_ text: String) -> [String] {
        var parts: [String] = []
        for piece in text.split(separator: ",", omittingEmptySubsequences: false) {
            let t = piece.trimmingWhitespace()
            let word = t.prefix(while: { $0 != " " && $0 != "\t" }).lowercased()
            // Only a value that may hold commas (a pattern such as x{1,3}, a default) runs on
            // past one; anything else after a comma is an attribute, known or misspelt.
            let lastWord = parts.last.map { $0.prefix(while: { $0 != " " && $0 != "\t" }).lowercased() }
            if let last = parts.last, !attributeWords.contains(word), lastWord == "pattern" || lastWord == "default" {
                parts[parts.count - 1] = last + "," + piece
            } else {
                parts.append(t)
            }
        }
        return parts.map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
    }

    private static func intRange(_ arg: String) throws(ParamDeclarationError) -> ParamType {
        if arg.isEmpty { return .int(min: Int64.min, max: Int64.max) }
        let shape = "\"int\" takes a range MIN..MAX, as in int 0..3600 (found \"\(arg)\")"
        guard let dots = arg.firstRange(of: "..") else { throw .init(shape) }
        let lo = arg[..<dots.lowerBound].trimmingWhitespace()
        let hi = arg[dots.upperBound...].trimmingWhitespace()
        let min = lo.isEmpty ? Int64.min : Int64(lo)
        let max = hi.isEmpty ? Int64.max : Int64(hi)
        guard let min, let max else { throw .init(shape) }
        guard min <= max else { throw .init("empty range \(arg) (MIN is above MAX)") }
        return .int(min: min, max: max)
    }
}

/// Why a parameter declaration could not be read.
public struct ParamDeclarationError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
