import Foundation

/// Compiled parameter patterns, shared by every validation: compiling one costs tens of
/// microseconds, and the gateway validates every request against the same few.
final class PatternCache: @unchecked Sendable {
    // Safe to share: `entries` is only touched while `lock` is held, and a compiled
    // NSRegularExpression is immutable, so matching with it from many threads is fine.
    private let lock = NSLock()
    private var entries: [String: NSRegularExpression] = [:]
    private let limit = 1024

    static let shared = PatternCache()

    /// The whole-value matcher for `pattern`, or nil when it does not compile.
    func matcher(for pattern: String) -> NSRegularExpression? {
        lock.lock()
        defer { lock.unlock() }
        if let re = entries[pattern] { return re }
        // \A and \z, not ^ and $: "$" would also match before a trailing newline.
        guard let re = try? NSRegularExpression(pattern: "\\A(?:\(pattern))\\z") else { return nil }
        if entries.count >= limit { entries.removeAll() }
        entries[pattern] = re
        return re
    }
}
