/// The outcome of one recorded call.
struct CallOutcome: Hashable, Sendable {
    var failed: Bool
    var slow: Bool
}

/// Sums over the calls a window currently holds.
struct WindowTotals: Hashable, Sendable {
    var calls = 0
    var failed = 0
    var slow = 0
    var slowFailed = 0

    mutating func add(_ o: CallOutcome, sign: Int = 1) {
        calls += sign
        if o.failed { failed += sign }
        if o.slow { slow += sign }
        if o.failed && o.slow { slowFailed += sign }
    }

    mutating func add(_ other: WindowTotals) {
        calls += other.calls
        failed += other.failed
        slow += other.slow
        slowFailed += other.slowFailed
    }
}

/// The sliding window of a circuit breaker: the last N calls, or the calls of the
/// last N seconds aggregated in one-second buckets (Resilience4j's two kinds).
struct SlidingWindow: Sendable {
    private enum Storage: Sendable {
        case count(ring: [CallOutcome?], next: Int, totals: WindowTotals)
        case time(buckets: [TimeBucket])
    }

    private struct TimeBucket: Sendable {
        /// The whole second this bucket aggregates; `Int64.min` when never used.
        var second: Int64 = .min
        var totals = WindowTotals()
    }

    private var storage: Storage
    /// Calls the window must hold before its rates count.
    let minimumCalls: Int

    /// A window of the last `size` calls.
    static func countBased(size: Int, minimumCalls: Int) -> SlidingWindow {
        SlidingWindow(storage: .count(ring: Array(repeating: nil, count: size), next: 0, totals: WindowTotals()),
                      minimumCalls: minimumCalls)
    }

    /// A window of the calls in the last `seconds` whole seconds.
    static func timeBased(seconds: Int, minimumCalls: Int) -> SlidingWindow {
        SlidingWindow(storage: .time(buckets: Array(repeating: TimeBucket(), count: seconds)),
                      minimumCalls: minimumCalls)
    }

    private init(storage: Storage, minimumCalls: Int) {
        self.storage = storage
        self.minimumCalls = minimumCalls
    }

    mutating func record(_ outcome: CallOutcome, now: Int64) {
        switch storage {
        case .count(var ring, var next, var totals):
            // Release the array from `storage` before mutating it, so it is not copied.
            storage = .time(buckets: [])
            if let evicted = ring[next] { totals.add(evicted, sign: -1) }
            ring[next] = outcome
            totals.add(outcome)
            next = (next + 1) % ring.count
            storage = .count(ring: ring, next: next, totals: totals)
        case .time(var buckets):
            storage = .time(buckets: [])
            let second = ResilienceTime.floorSecond(now)
            let slot = Int(((second % Int64(buckets.count)) + Int64(buckets.count)) % Int64(buckets.count))
            // A bucket still holding an older second is stale: that second left the window.
            if buckets[slot].second != second {
                buckets[slot] = TimeBucket(second: second, totals: WindowTotals())
            }
            buckets[slot].totals.add(outcome)
            storage = .time(buckets: buckets)
        }
    }

    /// The totals of the calls in the window as seen at `now`; a time-based window
    /// leaves out buckets older than its span, a count-based one ignores `now`.
    func totals(now: Int64) -> WindowTotals {
        switch storage {
        case .count(_, _, let totals):
            return totals
        case .time(let buckets):
            let second = ResilienceTime.floorSecond(now)
            let oldest = second - Int64(buckets.count) + 1
            var sum = WindowTotals()
            for b in buckets where b.second >= oldest && b.second <= second {
                sum.add(b.totals)
            }
            return sum
        }
    }
}

/// Rates of a window, in percent, or -1 while it holds fewer calls than its minimum.
struct WindowRates: Hashable, Sendable {
    var failureRate: Double
    var slowCallRate: Double

    init(_ totals: WindowTotals, minimumCalls: Int) {
        if totals.calls < minimumCalls || totals.calls == 0 {
            failureRate = -1
            slowCallRate = -1
        } else {
            failureRate = Double(totals.failed) * 100 / Double(totals.calls)
            slowCallRate = Double(totals.slow) * 100 / Double(totals.calls)
        }
    }
}
