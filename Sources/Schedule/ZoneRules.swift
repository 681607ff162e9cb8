import FoundationEssentials

/// The UTC offsets of one time zone over time, read from the system tz database
/// (TZif files under /usr/share/zoneinfo, with the POSIX TZ footer rule for dates
/// past the file's table), so offsets and DST rules are the operating system's.
public struct ZoneRules: Sendable, Hashable, CustomStringConvertible {
    /// The tz database name, e.g. `Asia/Seoul`.
    public let identifier: String
    /// UTC seconds at which the offset changes, ascending.
    let transitions: [Int64]
    /// The offset in effect from `transitions[i]` on.
    let offsetsAfter: [Int32]
    /// The offset before the first transition.
    let initialOffset: Int32
    /// Governs instants at or after the last transition (or all of them when there is none).
    let rule: PosixRule?
    /// Every offset the zone ever uses, for resolving wall times.
    let distinctOffsets: [Int32]

    public var description: String { identifier }

    init(identifier: String, transitions: [Int64], offsetsAfter: [Int32], initialOffset: Int32, rule: PosixRule?) {
        self.identifier = identifier
        self.transitions = transitions
        self.offsetsAfter = offsetsAfter
        self.initialOffset = initialOffset
        self.rule = rule
        var all = Set(offsetsAfter)
        all.insert(initialOffset)
        if let rule {
            all.insert(rule.stdOffset)
            if let dst = rule.dst { all.insert(dst.offset) }
        }
        self.distinctOffsets = all.sorted()
    }

    /// Coordinated Universal Time; `iso8601(in:)` writes `Z` for it.
    public static let utc = ZoneRules(identifier: "UTC", transitions: [], offsetsAfter: [], initialOffset: 0,
                                      rule: PosixRule(stdOffset: 0, dst: nil))

    /// A zone with one constant offset (seconds east of UTC), named like `+09:00`.
    public static func fixed(offsetSeconds: Int) -> ZoneRules {
        let a = abs(offsetSeconds)
        let name = (offsetSeconds < 0 ? "-" : "+") + Instant.pad2(a / 3600) + ":" + Instant.pad2(a / 60 % 60)
        return ZoneRules(identifier: name, transitions: [], offsetsAfter: [], initialOffset: Int32(offsetSeconds),
                         rule: PosixRule(stdOffset: Int32(offsetSeconds), dst: nil))
    }

    static let utcAliases: Set<String> = ["UTC", "Etc/UTC", "UCT", "Etc/UCT", "Zulu", "Etc/Zulu",
                                          "Universal", "Etc/Universal"]

    /// Whether this is UTC itself (not merely a zone at offset zero).
    public var isUTC: Bool { ZoneRules.utcAliases.contains(identifier) && distinctOffsets == [0] }

    /// Loads a zone by its tz database name (`Asia/Seoul`, `America/New_York`, `UTC`)
    /// from `directory`.
    public static func named(_ id: String, directory: String = "/usr/share/zoneinfo") throws(CronError) -> ZoneRules {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_+-/".utf8)
        guard !id.isEmpty, id.utf8.allSatisfy({ allowed.contains($0) }), !id.hasPrefix("/"),
              !id.split(separator: "/").contains("..") else {
            throw CronError(kind: .zone, input: id,
                            reason: "not a tz database name; use a name like Asia/Seoul, America/New_York or UTC")
        }
        let path = directory + "/" + id
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CronError(kind: .zone, input: id,
                            reason: "no such zone in \(directory); check the spelling (e.g. Europe/Berlin) or install tzdata")
        }
        return try ZoneRules(tzif: [UInt8](data), identifier: id)
    }

    /// The UTC offset in seconds in effect at `utc`.
    public func offset(at utc: Instant) -> Int {
        Int(offsetSeconds(at: utc.secondsSinceEpoch))
    }

    func offsetSeconds(at t: Int64) -> Int32 {
        guard let last = transitions.last else {
            return rule?.offset(at: t) ?? initialOffset
        }
        if t >= last {
            return rule?.offset(at: t) ?? offsetsAfter[offsetsAfter.count - 1]
        }
        if t < transitions[0] { return initialOffset }
        var lo = 0, hi = transitions.count - 1  // transitions[lo] <= t < transitions[hi]
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if transitions[mid] <= t { lo = mid } else { hi = mid }
        }
        return offsetsAfter[lo]
    }

    /// How a wall-clock time maps onto the time line.
    public enum WallTime: Sendable, Hashable {
        /// Exists once.
        case unique(Instant)
        /// Falls in a gap (clocks jumped forward); the instant is the first one after the gap.
        case gap(nextExisting: Instant)
        /// Exists twice (clocks fell back): the earlier and the later instant.
        case overlap(first: Instant, second: Instant)
    }

    /// Maps a local date and time in this zone onto the time line.
    public func resolve(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) -> WallTime {
        resolve(wall: LocalDateTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second).wallSeconds)
    }

    func resolve(wall w: Int64) -> WallTime {
        var first: Int64?, second: Int64?
        for o in distinctOffsets {
            let t = w - Int64(o)
            guard offsetSeconds(at: t) == o else { continue }
            if let f = first {
                first = min(f, t); second = max(f, t)
            } else {
                first = t
            }
        }
        if let first, let second { return .overlap(first: Instant(secondsSinceEpoch: first), second: Instant(secondsSinceEpoch: second)) }
        if let first { return .unique(Instant(secondsSinceEpoch: first)) }
        return .gap(nextExisting: Instant(secondsSinceEpoch: gapEnd(wall: w)))
    }

    /// The instant a schedule fires for a wall time: the first occurrence, or
    /// the first instant after a gap.
    func firstInstant(atWall w: Int64) -> Instant {
        Instant(secondsSinceEpoch: firstSeconds(atWall: w).seconds)
    }

    /// The earliest instant showing `w` on the wall clock and the offset it has;
    /// in a gap, the end of the gap and `nil`.
    func firstSeconds(atWall w: Int64) -> (seconds: Int64, offset: Int32?) {
        var best: (Int64, Int32)?
        for o in distinctOffsets {
            let t = w - Int64(o)
            if offsetSeconds(at: t) == o, best == nil || t < best!.0 { best = (t, o) }
        }
        if let best { return (best.0, best.1) }
        return (gapEnd(wall: w), nil)
    }

    /// The first instant in `(from, to]` whose offset differs from the one at
    /// `from` (bisection: assumes one change in between), or `to`.
    func firstChange(after from: Int64, notAfter to: Int64) -> Int64 {
        let before = offsetSeconds(at: from)
        var lo = from, hi = to
        if offsetSeconds(at: hi) == before { return hi }
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2
            if offsetSeconds(at: mid) == before { lo = mid } else { hi = mid }
        }
        return hi
    }

    /// For a wall time no instant shows: the first instant whose wall time is later.
    private func gapEnd(wall w: Int64) -> Int64 {
        // Every instant showing w lies in [w - maxOffset, w - minOffset]; local time
        // is below w at the low end and above it at the high end, so bisect.
        var lo = w - Int64(distinctOffsets.last ?? 0)
        var hi = w - Int64(distinctOffsets.first ?? 0)
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2
            if mid + Int64(offsetSeconds(at: mid)) > w { hi = mid } else { lo = mid }
        }
        return hi
    }
}
