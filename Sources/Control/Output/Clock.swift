import BatchCore
import Schedule

/// Wall times for people: `13:02:25` (today) in the machine's zone.
struct LocalTimes: Sendable {
    let zone: ZoneRules

    init(zone: ZoneRules) { self.zone = zone }

    /// The machine's zone, or UTC when it cannot be read.
    static var system: LocalTimes { LocalTimes(zone: (try? ZoneRules.system()) ?? .utc) }

    /// `2026-11-25T13:02:25+09:00`.
    func iso(_ ms: Int64) -> String { Instant(millisecondsSinceEpoch: ms).iso8601(in: zone) }

    /// `13:02:25.120`.
    func clock(_ ms: Int64) -> String {
        let text = Instant(millisecondsSinceEpoch: ms - ms % 1000).iso8601(in: zone)
        let parts = text.split(separator: "T")
        let time = parts.count == 2 ? String(parts[1].prefix(8)) : text
        let frac = Int(((ms % 1000) + 1000) % 1000)
        return time + "." + String(repeating: "0", count: 3 - String(frac).count) + String(frac)
    }
}
