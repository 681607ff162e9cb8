import Glibc

/// The units other code and C APIs want a `Duration` in. Integer conversions round
/// toward zero and saturate instead of trapping, so a configured "forever" stays usable.
extension Duration {
    /// Whole milliseconds, saturating at the ends of `Int64`.
    @inlinable
    public var inMilliseconds: Int64 { wholeUnits(perSecond: 1000) }

    /// Whole nanoseconds, saturating at the ends of `Int64` (about ±292 years).
    @inlinable
    public var inNanoseconds: Int64 { wholeUnits(perSecond: 1_000_000_000) }

    /// Whole units of `1 / perSecond` s, rounded toward zero, saturating at the ends of `Int64`.
    @inlinable
    func wholeUnits(perSecond: Int64) -> Int64 {
        let (s, atto) = components
        let (whole, overflow) = s.multipliedReportingOverflow(by: perSecond)
        if overflow { return s < 0 ? .min : .max }
        let (sum, overflow2) = whole.addingReportingOverflow(atto / (1_000_000_000_000_000_000 / perSecond))
        return overflow2 ? (s < 0 ? .min : .max) : sum
    }

    /// Whole nanoseconds for deadlines on a monotonic clock: negative durations count as
    /// zero, and anything past about 31 years as 10¹⁸ (so adding it to a clock reading cannot overflow).
    @inlinable
    public var nanosecondsClamped: UInt64 {
        let (s, atto) = components
        if s < 0 { return 0 }
        if s > 1_000_000_000 { return 1_000_000_000 * 1_000_000_000 }
        return UInt64(s) * 1_000_000_000 + UInt64(max(0, atto) / 1_000_000_000)
    }

    /// Seconds as a floating-point number, for timeouts handed to C APIs and JSON.
    @inlinable
    public var inSeconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }

    /// A `timespec` for `nanosleep`, `timerfd` and friends; negative durations are zero.
    @inlinable
    public var timespec: Glibc.timespec {
        let ns = nanosecondsClamped
        return Glibc.timespec(tv_sec: Int(ns / 1_000_000_000), tv_nsec: Int(ns % 1_000_000_000))
    }

    /// A `timeval` (whole microseconds) for socket and hiredis timeouts; negative durations are zero.
    @inlinable
    public var timeval: Glibc.timeval {
        let ns = nanosecondsClamped
        return Glibc.timeval(tv_sec: Int(ns / 1_000_000_000), tv_usec: Int(ns % 1_000_000_000 / 1000))
    }
}

/// Nanoseconds on `CLOCK_MONOTONIC`: for deadlines and elapsed times on threads of
/// their own (the HTTP event loop, the process engine), where a `ContinuousClock`
/// instant would do the same with more arithmetic.
@inlinable
public func monotonicNanos() -> UInt64 {
    var ts = Glibc.timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}
