/// Exponential backoff with jitter, after the AWS Architecture Blog's "Exponential
/// Backoff And Jitter": the ceiling of attempt n is `min(cap, base · 2ⁿ)`, and the
/// jitter spreads retries so that many failing dispatches (or reconnects) do not
/// return in step. Pure: the caller counts attempts and supplies the randomness.
public struct Backoff: Sendable, Hashable {
    /// How the delay is drawn below the ceiling.
    public enum Jitter: String, Sendable, Hashable, CaseIterable {
        /// Exactly the ceiling.
        case none
        /// Uniform in [0, ceiling]: the blog's choice for least total work.
        case full
        /// Half the ceiling plus uniform in [0, ceiling/2]: never retries at once.
        case equal
        /// Uniform in [base, 3 · previous delay], at most cap: grows from the delay
        /// actually used last time instead of the attempt number.
        case decorrelated
    }

    /// The ceiling of the first retry (attempt 0).
    public var base: Duration
    /// No delay is ever longer.
    public var cap: Duration
    public var jitter: Jitter

    public init(base: Duration = .seconds(1), cap: Duration = .seconds(60), jitter: Jitter = .full) {
        self.base = base
        self.cap = cap
        self.jitter = jitter
    }

    /// What is wrong with these settings, one message per problem; empty when usable.
    public func validationProblems() -> [String] {
        var problems: [String] = []
        if base <= .zero { problems.append("backoff base is \(base), but it must be more than 0") }
        if cap < base { problems.append("backoff cap is \(cap), but it must be at least the base (\(base))") }
        return problems
    }

    /// `min(cap, base · 2^attempt)`; attempts below 0 count as 0, and the doubling
    /// saturates at the cap instead of overflowing.
    public func ceiling(attempt: Int) -> Duration {
        .nanoseconds(ceilingNanos(attempt: attempt))
    }

    /// The delay before retry number `attempt` (0 for the first retry).
    /// `previous` is the delay used before the last retry and matters only to
    /// `.decorrelated` (nil: this is the first retry, which grows from `base`).
    public func delay(attempt: Int, previous: Duration? = nil,
                      random: inout some RandomNumberGenerator) -> Duration {
        let capNs = max(0, cap.inNanoseconds)
        switch jitter {
        case .none:
            return .nanoseconds(ceilingNanos(attempt: attempt))
        case .full:
            return .nanoseconds(Int64.random(in: 0...ceilingNanos(attempt: attempt), using: &random))
        case .equal:
            let c = ceilingNanos(attempt: attempt)
            let half = c / 2
            return .nanoseconds(half + Int64.random(in: 0...(c - half), using: &random))
        case .decorrelated:
            let baseNs = min(max(0, base.inNanoseconds), capNs)
            let prevNs = max(baseNs, previous.map(\.inNanoseconds) ?? baseNs)
            let (tripled, overflow) = prevNs.multipliedReportingOverflow(by: 3)
            let upper = min(capNs, overflow ? capNs : tripled)
            return .nanoseconds(Int64.random(in: baseNs...max(baseNs, upper), using: &random))
        }
    }

    /// The delay before retry number `attempt` with the jitter taken from `unit`, a number in
    /// [0, 1] (clamped) that picks a point between the jitter's bounds: 0 the shortest, 1 the
    /// longest. For callers that draw their own randomness and tests that pin it.
    public func delay(attempt: Int, previous: Duration? = nil, unit: Double) -> Duration {
        let capNs = max(0, cap.inNanoseconds)
        let lower: Int64, upper: Int64
        switch jitter {
        case .none:
            return .nanoseconds(ceilingNanos(attempt: attempt))
        case .full:
            (lower, upper) = (0, ceilingNanos(attempt: attempt))
        case .equal:
            let c = ceilingNanos(attempt: attempt)
            (lower, upper) = (c / 2, c)
        case .decorrelated:
            let baseNs = min(max(0, base.inNanoseconds), capNs)
            let prevNs = max(baseNs, previous.map(\.inNanoseconds) ?? baseNs)
            let (tripled, overflow) = prevNs.multipliedReportingOverflow(by: 3)
            (lower, upper) = (baseNs, max(baseNs, min(capNs, overflow ? capNs : tripled)))
        }
        let u = unit.isNaN ? 0 : max(0, min(1, unit))
        return .nanoseconds(lower + Int64((Double(upper - lower) * u).rounded(.down)))
    }

    func ceilingNanos(attempt: Int) -> Int64 {
        let capNs = max(0, cap.inNanoseconds)
        let baseNs = min(max(0, base.inNanoseconds), capNs)
        guard baseNs > 0 else { return 0 }
        let n = max(0, attempt)
        // Doubling past 62 times overflows any positive Int64; the cap is reached long before.
        if n >= 63 { return capNs }
        let (grown, overflow) = baseNs.multipliedReportingOverflow(by: Int64(1) << Int64(n))
        return overflow ? capNs : min(capNs, grown)
    }
}
