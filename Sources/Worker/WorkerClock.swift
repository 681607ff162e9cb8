import Daemon
import FoundationEssentials
import Glibc

/// Time as the worker reads it: monotonic milliseconds for leases (never the
/// wall clock, which may jump), and ISO 8601 text for results.
public enum WorkerClock {
    /// `CLOCK_BOOTTIME`: monotonic, and unlike `CLOCK_MONOTONIC` it counts the time the host was
    /// suspended, during which leases in Redis kept running out. The lease reaper, another
    /// process, reads the same clock: deadlines pass between the two as plain numbers.
    public static func monotonicMillis() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_BOOTTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    /// `2026-11-25T17:20:17.123Z` (UTC, milliseconds), written by hand as log lines' times are:
    /// `Date.ISO8601FormatStyle` cost several µs, twice per attempt.
    static func iso(_ date: Date) -> String { LogFormat.timestamp(date) }
}
