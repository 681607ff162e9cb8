/// Arithmetic on the integer milliseconds of the injected monotonic clock the
/// resilience state machines run on (durations become milliseconds through
/// Platform's `Duration.inMilliseconds`).
enum ResilienceTime {
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
