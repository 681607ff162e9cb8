import Synchronization

/// Adds `amount` to a Double kept as its bit pattern, by lock-free compare-and-swap.
private func addDouble(_ amount: Double, to bits: borrowing Atomic<UInt64>) {
    var old = bits.load(ordering: .relaxed)
    while true {
        let new = (Double(bitPattern: old) + amount).bitPattern
        let (done, seen) = bits.compareExchange(expected: old, desired: new, ordering: .relaxed)
        if done { return }
        old = seen
    }
}

/// A value that only goes up (restarts reset it to zero).
public final class Counter: Sendable {
    // A Double kept as its bit pattern, so updates are a lock-free compare-and-swap.
    private let bits = Atomic<UInt64>(0)

    init() {}

    public func inc() { add(1) }

    /// Adds `amount`; negative amounts are a programmer error.
    public func add(_ amount: Double) {
        precondition(amount >= 0, "a counter only goes up; use a gauge for \(amount)")
        addDouble(amount, to: bits)
    }

    public var value: Double { Double(bitPattern: bits.load(ordering: .relaxed)) }
}

/// A value that goes up and down.
public final class Gauge: Sendable {
    private let bits = Atomic<UInt64>(0.0.bitPattern)

    init() {}

    public func set(_ value: Double) { bits.store(value.bitPattern, ordering: .relaxed) }
    public func inc() { add(1) }
    public func dec() { add(-1) }

    public func add(_ amount: Double) {
        addDouble(amount, to: bits)
    }

    public var value: Double { Double(bitPattern: bits.load(ordering: .relaxed)) }
}

/// Observations counted into cumulative buckets, with their sum and count.
public final class Histogram: Sendable {
    /// Upper bounds, ascending, without `+Inf` (always implied).
    public let upperBounds: [Double]
    /// One counter per bucket (not cumulative; the last one is `+Inf`), and the sum as a Double's
    /// bits: an observation is two atomic adds, without a lock.
    private let counts: [BucketCount]
    private let sumBits = Atomic<UInt64>(0.0.bitPattern)

    final class BucketCount: Sendable {
        let value = Atomic<UInt64>(0)
    }

    /// A reading of a histogram.
    public struct Reading: Sendable {
        public let upperBounds: [Double]
        /// Cumulative counts, one per bound plus the last for `+Inf` (equal to `count`).
        public let cumulative: [UInt64]
        public let sum: Double
        public let count: UInt64

        /// Estimates the `q` quantile (0...1) by linear interpolation inside the
        /// bucket that holds it, as Prometheus' `histogram_quantile` does; nil when empty.
        public func quantile(_ q: Double) -> Double? {
            guard count > 0 else { return nil }
            let rank = q * Double(count)
            var lowerBound = 0.0
            var below: UInt64 = 0
            for (i, c) in cumulative.enumerated() {
                if Double(c) >= rank && c > 0 {
                    guard i < upperBounds.count else {
                        // Past the last finite bound: that bound is the best estimate there is.
                        return upperBounds.last ?? 0
                    }
                    let upper = upperBounds[i]
                    let inBucket = Double(c - below)
                    if inBucket == 0 { return upper }
                    return lowerBound + (upper - lowerBound) * ((rank - Double(below)) / inBucket)
                }
                if i < upperBounds.count { lowerBound = upperBounds[i] }
                below = c
            }
            return upperBounds.last ?? 0
        }
    }

    init(upperBounds: [Double]) {
        self.upperBounds = upperBounds
        self.counts = (0...upperBounds.count).map { _ in BucketCount() }
    }

    public func observe(_ value: Double) {
        // Bounds are few (about 20); a binary search finds the first bound >= value.
        var lo = 0, hi = upperBounds.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if upperBounds[mid] >= value { hi = mid } else { lo = mid + 1 }
        }
        counts[lo].value.add(1, ordering: .relaxed)
        addDouble(value, to: sumBits)
    }

    /// Observes the seconds elapsed since `start`.
    public func observe(since start: ContinuousClock.Instant, now: ContinuousClock.Instant = .now) {
        let d = now - start
        observe(Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
    }

    /// The buckets read one after the other while others observe: the count is the buckets'
    /// total, so `+Inf` always equals it; the sum may hold an observation more or less.
    public func read() -> Reading {
        var cumulative = [UInt64]()
        cumulative.reserveCapacity(counts.count)
        var running: UInt64 = 0
        for c in counts {
            running += c.value.load(ordering: .relaxed)
            cumulative.append(running)
        }
        let sum = Double(bitPattern: sumBits.load(ordering: .relaxed))
        return Reading(upperBounds: upperBounds, cumulative: cumulative, sum: sum, count: running)
    }

    /// Bucket bounds for batch run and wait times: 5 ms to 1 hour.
    public static let defaultBuckets: [Double] = [
        0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600,
    ]

    /// Bucket bounds for request latencies: 0.5 ms to 10 s.
    public static let latencyBuckets: [Double] = [
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    ]
}
