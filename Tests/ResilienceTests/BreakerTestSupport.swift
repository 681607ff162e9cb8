@testable import Resilience

/// One event fed to a breaker in a table-driven test.
enum BreakerStep: Sendable, CustomStringConvertible {
    /// A permitted call that succeeded after `ms` milliseconds.
    case ok(ms: Int64 = 10)
    /// A permitted call that failed after `ms` milliseconds.
    case fail(ms: Int64 = 10)
    /// A permitted call whose outcome says nothing about health.
    case ignored

    var description: String {
        switch self {
        case .ok(let ms): return "ok(\(ms)ms)"
        case .fail(let ms): return "fail(\(ms)ms)"
        case .ignored: return "ignored"
        }
    }
}

extension CircuitBreaker {
    /// Feeds the steps one millisecond apart from `start`, each one acquiring a
    /// permit first as a dispatcher would; returns the instant after the last one.
    @discardableResult
    mutating func run(_ steps: [BreakerStep], from start: Int64 = 0) -> Int64 {
        var now = start
        for step in steps {
            _ = tryAcquirePermission(now: now)
            switch step {
            case .ok(let ms): onSuccess(duration: .milliseconds(ms), now: now)
            case .fail(let ms): onError(duration: .milliseconds(ms), now: now)
            case .ignored: onIgnored(now: now)
            }
            now += 1
        }
        return now
    }
}

extension Array {
    /// `n` copies of `element`, to spell test sequences briefly.
    static func times(_ n: Int, _ element: Element) -> [Element] { Array(repeating: element, count: n) }
}
