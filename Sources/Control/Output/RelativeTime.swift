/// Short human durations: `850ms`, `42s`, `3m05s`, `2h10m`, `3d4h`.
enum RelativeTime {
    /// A duration in milliseconds as text (negative counts as zero).
    static func duration(_ ms: Int64) -> String {
        let ms = max(0, ms)
        if ms < 1_000 { return "\(ms)ms" }
        let s = ms / 1_000
        if s < 60 { return "\(s)s" }
        if s < 3_600 { return "\(s / 60)m" + pad(s % 60) + "s" }
        if s < 86_400 { return "\(s / 3_600)h" + pad(s / 60 % 60) + "m" }
        return "\(s / 86_400)d\(s / 3_600 % 24)h"
    }

    /// `3s ago` for a past instant, `in 5m00s` for a future one, `now` within a second.
    static func ago(_ then: Int64, now: Int64) -> String {
        let d = now - then
        if abs(d) < 1_000 { return "now" }
        return d > 0 ? "\(duration(d)) ago" : "in \(duration(-d))"
    }

    private static func pad(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
