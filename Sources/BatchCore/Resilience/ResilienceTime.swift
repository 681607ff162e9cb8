/// Conversions between `Duration` (how configuration states lengths of time) and
/// the integer milliseconds of the injected monotonic clock the resilience state
/// machines run on. Kept in a namespace so the names cannot collide with other
/// extensions of `Duration` in this module.
enum ResilienceTime {
    /// Whole milliseconds in `d`, rounded toward zero, saturating at `Int64.max`/`Int64.min`.
    static func millis(_ d: Duration) -> Int64 {
        let (seconds, attoseconds) = d.components
        let (ms, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        if overflow { return seconds < 0 ? Int64.min : Int64.max }
        let (sum, overflow2) = ms.addingReportingOverflow(attoseconds / 1_000_000_000_000_000)
        if overflow2 { return seconds < 0 ? Int64.min : Int64.max }
        return sum
    }

    /// Whole nanoseconds in `d`, saturating; used where jitter wants sub-millisecond resolution.
    static func nanos(_ d: Duration) -> Int64 {
        let (seconds, attoseconds) = d.components
        let (ns, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? Int64.min : Int64.max }
        let (sum, overflow2) = ns.addingReportingOverflow(attoseconds / 1_000_000_000)
        if overflow2 { return seconds < 0 ? Int64.min : Int64.max }
        return sum
    }

    /// `a + b` without trapping: instants far in the future saturate.
    static func adding(_ a: Int64, _ b: Int64) -> Int64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        if overflow { return b > 0 ? Int64.max : Int64.min }
        return sum
    }

    /// The whole second (floor) that contains the millisecond instant `ms`, so that
    /// instants before the clock's origin still fall into the right bucket.
    static func floorSecond(_ ms: Int64) -> Int64 {
        ms >= 0 ? ms / 1000 : -((-(ms + 1)) / 1000) - 1
    }
}
