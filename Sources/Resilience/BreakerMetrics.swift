/// A breaker's figures at one instant, for `/metrics`, the `breakers:<gateway-id>`
/// hash and `batchtop`. Instants are on the clock the breaker was fed; publish them
/// across machines only after `rebased(from:to:)` onto the wall clock.
public struct BreakerMetrics: Sendable, Hashable, Codable {
    /// Percent of failed calls in the window; -1 while it holds fewer than the minimum calls.
    public var failureRate: Double
    /// Percent of slow calls in the window; -1 while it holds fewer than the minimum calls.
    public var slowCallRate: Double
    /// Calls in the window (in half-open: trial calls so far).
    public var calls: Int
    public var failedCalls: Int
    /// Slow calls, failed or not.
    public var slowCalls: Int
    public var slowFailedCalls: Int
    public var successfulCalls: Int { calls - failedCalls }
    /// Calls refused since the window was last emptied (entering closed, half-open,
    /// forced open, disabled, metrics only, or a reset), as in Resilience4j.
    public var notPermittedCalls: Int
    public var state: BreakerState
    /// When it opened or was forced open, on the caller's monotonic clock; nil otherwise.
    public var openedAt: Int64?
    /// When an open breaker lets its first trial call through; nil in other states.
    public var nextProbeAt: Int64?
    /// Trial permits left; 0 outside half-open.
    public var halfOpenPermitsLeft: Int

    public init(failureRate: Double, slowCallRate: Double, calls: Int, failedCalls: Int, slowCalls: Int,
                slowFailedCalls: Int, notPermittedCalls: Int, state: BreakerState, openedAt: Int64?,
                nextProbeAt: Int64?, halfOpenPermitsLeft: Int) {
        self.failureRate = failureRate
        self.slowCallRate = slowCallRate
        self.calls = calls
        self.failedCalls = failedCalls
        self.slowCalls = slowCalls
        self.slowFailedCalls = slowFailedCalls
        self.notPermittedCalls = notPermittedCalls
        self.state = state
        self.openedAt = openedAt
        self.nextProbeAt = nextProbeAt
        self.halfOpenPermitsLeft = halfOpenPermitsLeft
    }
}

extension BreakerMetrics {
    /// The same figures with `openedAt` and `nextProbeAt` moved from one clock to
    /// another, given the same instant read on both: `rebased(from: monotonicNow,
    /// to: unixMillisNow)` turns them into Unix milliseconds for Redis.
    public func rebased(from clockNow: Int64, to otherClockNow: Int64) -> BreakerMetrics {
        let shift = otherClockNow &- clockNow
        var copy = self
        copy.openedAt = openedAt.map { ResilienceTime.adding($0, shift) }
        copy.nextProbeAt = nextProbeAt.map { ResilienceTime.adding($0, shift) }
        return copy
    }
}

extension CircuitBreaker {
    /// The breaker's figures as seen at `now` (a time-based window leaves out calls
    /// older than its span). Reading does not apply due transitions: call
    /// `advance(now:)` first if `state` should reflect them.
    public func metrics(now: Int64) -> BreakerMetrics {
        let totals = window.totals(now: now)
        let rates = WindowRates(totals, minimumCalls: window.minimumCalls)
        return BreakerMetrics(
            failureRate: rates.failureRate, slowCallRate: rates.slowCallRate,
            calls: totals.calls, failedCalls: totals.failed, slowCalls: totals.slow,
            slowFailedCalls: totals.slowFailed, notPermittedCalls: notPermittedCalls,
            state: state, openedAt: openedAt, nextProbeAt: nextProbeAt,
            halfOpenPermitsLeft: halfOpenPermitsLeft)
    }
}
