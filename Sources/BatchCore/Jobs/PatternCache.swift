import Synchronization

/// Compiled parameter patterns, shared by every validation: compiling one costs tens of
/// microseconds, and the gateway validates every request against the same few.
final class PatternCache: Sendable {
    // A Regex is not Sendable, so the compiled ones never leave the lock: matching a short
    // value takes well under a microsecond, and validation is a small part of a request.
    private let entries = Mutex<[String: Regex<AnyRegexOutput>]>([:])
    private let limit = 1024

    static let shared = PatternCache()

    /// Whether `pattern` matches all of `value`; nil when the pattern does not compile.
    func matches(_ value: String, pattern: String) -> Bool? {
        entries.withLock { entries in
            if let re = entries[pattern] { return (try? re.wholeMatch(in: value)) != nil }
            guard let re = Self.compile(pattern) else { return nil }
            if entries.count >= limit { entries.removeAll() }
            entries[pattern] = re
            return (try? re.wholeMatch(in: value)) != nil
        }
    }

    /// `pattern` compiled to match a whole value, or nil when it is not a valid expression.
    static func compile(_ pattern: String) -> Regex<AnyRegexOutput>? {
        // \A and \z, not ^ and $: "$" would also match before a trailing newline. Unicode
        // scalar semantics, as ICU's: "." is one code point, not one grapheme cluster.
        guard let re = try? Regex("\\A(?:\(pattern))\\z") else { return nil }
        return re.matchingSemantics(.unicodeScalar)
    }
}
