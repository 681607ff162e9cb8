import Foundation
import BatchCore
import Schedule

/// Numbers, times and durations as the console writes them: short and fixed-width.
enum Format {
    /// `HH:MM:SS` in `zone`.
    static func clock(_ date: Date, _ zone: TimeZone) -> String {
        let t = local(date, zone)
        let s = ((t % 86400) + 86400) % 86400
        return two(s / 3600) + ":" + two(s / 60 % 60) + ":" + two(s % 60)
    }

    /// `MM-DD HH:MM:SS` in `zone`.
    static func dateTime(_ date: Date, _ zone: TimeZone) -> String {
        let t = local(date, zone)
        let (_, month, day) = Civil.civilFromDays(t >= 0 ? t / 86400 : (t - 86399) / 86400)
        return two(month) + "-" + two(day) + " " + clock(date, zone)
    }

    /// `2026-11-25T02:00:00` in `zone`: one field for scripts, sortable as text.
    static func isoLocal(_ date: Date, _ zone: TimeZone) -> String {
        let t = local(date, zone)
        let (year, month, day) = Civil.civilFromDays(t >= 0 ? t / 86400 : (t - 86399) / 86400)
        return "\(year)-" + two(month) + "-" + two(day) + "T" + clock(date, zone)
    }

    /// Seconds since the epoch on the zone's wall clock (arithmetic, not Calendar:
    /// this runs for every visible row on every frame).
    private static func local(_ date: Date, _ zone: TimeZone) -> Int {
        let t = Int(date.timeIntervalSince1970.rounded(.down))
        return t + zone.secondsFromGMT(for: date)
    }

    /// `12.3`: one decimal, rounded half up, without `String(format:)` (slow on Linux).
    private static func oneDecimal(_ x: Double) -> String {
        let tenths = Int((x * 10).rounded())
        return "\(tenths / 10).\(abs(tenths % 10))"
    }

    private static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    /// A duration in at most two units: `850ms`, `12.3s`, `4m05s`, `2h03m`, `3d04h`.
    static func duration(_ seconds: TimeInterval) -> String {
        let s = max(0, seconds)
        if s < 1 { return "\(Int(s * 1000))ms" }
        if s < 60 { return oneDecimal(s) + "s" }
        let total = Int(s)
        if total < 3600 { return "\(total / 60)m" + two(total % 60) + "s" }
        if total < 86400 { return "\(total / 3600)h" + two(total % 3600 / 60) + "m" }
        return "\(total / 86400)d" + two(total % 86400 / 3600) + "h"
    }

    /// Time until `date`: `in 4m05s`, `now`, or `late 3.0s` once past.
    static func countdown(to date: Date, from now: Date) -> String {
        let d = date.timeIntervalSince(now)
        if abs(d) < 0.5 { return "now" }
        return d > 0 ? "in " + duration(d) : "late " + duration(-d)
    }

    /// An interval in whole units: `500ms`, `5s`, `1m30s`, `2h`, `1d`.
    static func interval(milliseconds ms: Int) -> String {
        if ms % 1000 != 0 || ms == 0 { return "\(ms)ms" }
        var s = ms / 1000
        var out = ""
        for (unit, size) in [("d", 86400), ("h", 3600), ("m", 60), ("s", 1)] where s >= size {
            out += "\(s / size)\(unit)"
            s %= size
        }
        return out
    }

    /// A schedule's trigger as the scheduler publishes it (`fixed-rate 5000ms`, `cron 0 0 2 * * *`),
    /// with its interval in whole units: `fixed-rate 5s`.
    static func scheduleTrigger(_ text: String) -> String {
        let parts = text.split(separator: " ", maxSplits: 1).map(String.init)
        guard parts.count == 2, parts[0].hasPrefix("fixed-"), parts[1].hasSuffix("ms"),
              let ms = Int(parts[1].dropLast(2)) else { return text }
        return parts[0] + " " + interval(milliseconds: ms)
    }

    /// A count with thousands separated: `51,641`.
    static func count(_ n: Int) -> String {
        let digits = String(abs(n))
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// A share 0...1 as a percentage with one decimal.
    static func percent(_ fraction: Double) -> String {
        oneDecimal(fraction * 100) + "%"
    }

    /// A rate per second, two decimals below 100.
    static func rate(_ perSecond: Double) -> String {
        perSecond < 100 ? String(format: "%.2f/s", perSecond) : String(format: "%.0f/s", perSecond)
    }

    /// An execution id in `width` cells: whole when it fits, else its end (the random
    /// part of a ULID tells ids apart; the start is the shared timestamp).
    static func id(_ id: String, width: Int) -> String {
        if id.count <= width { return id }
        guard width > 1 else { return String(id.suffix(max(width, 0))) }
        return "…" + id.suffix(width - 1)
    }
}
