import FoundationEssentials
import Glibc

/// Time as the worker reads it: monotonic milliseconds for leases (never the
/// wall clock, which may jump), and ISO 8601 text for results.
public enum WorkerClock {
    public static func monotonicMillis() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    /// `2026-11-25T17:20:17.123Z`: what `Date.ISO8601FormatStyle(includingFractionalSeconds: true)`
    /// writes, built by hand (the format style costs several µs, twice per attempt).
    static func iso(_ date: Date) -> String {
        // Whole seconds and truncated milliseconds of the reference-date offset, as the format style takes them.
        let reference = date.timeIntervalSinceReferenceDate
        let whole = reference.rounded(.down)
        var seconds = time_t(Int64(whole) + 978_307_200)
        let ms = min(999, Int((reference - whole) * 1000))
        var t = tm()
        gmtime_r(&seconds, &t)
        var out = [UInt8]()
        out.reserveCapacity(24)
        func digits(_ v: Int, _ n: Int) {
            var d = 1
            for _ in 1..<n { d *= 10 }
            var v = v
            while d > 0 { out.append(UInt8(48 + (v / d) % 10)); v %= d; d /= 10 }
        }
        digits(Int(t.tm_year) + 1900, 4); out.append(UInt8(ascii: "-"))
        digits(Int(t.tm_mon) + 1, 2); out.append(UInt8(ascii: "-"))
        digits(Int(t.tm_mday), 2); out.append(UInt8(ascii: "T"))
        digits(Int(t.tm_hour), 2); out.append(UInt8(ascii: ":"))
        digits(Int(t.tm_min), 2); out.append(UInt8(ascii: ":"))
        digits(Int(t.tm_sec), 2); out.append(UInt8(ascii: "."))
        digits(ms, 3); out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }
}
