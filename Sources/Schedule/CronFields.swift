/// A set of small integers (0...63) as bits, with "next member at or after".
struct BitSet64: Sendable, Hashable {
    var bits: UInt64 = 0

    func contains(_ i: Int) -> Bool { i >= 0 && i < 64 && bits & (1 << UInt64(i)) != 0 }

    mutating func insert(_ i: Int) { bits |= 1 << UInt64(i) }

    var isEmpty: Bool { bits == 0 }

    func next(atOrAfter i: Int) -> Int? {
        guard i < 64 else { return nil }
        let m = bits & (~UInt64(0) << UInt64(max(i, 0)))
        return m == 0 ? nil : m.trailingZeroBitCount
    }
}

/// The day-of-month field: plain days plus Quartz's `L`, `L-n`, `LW` and `nW`.
struct DayOfMonthField: Sendable, Hashable {
    /// Days 1...31.
    var days = BitSet64()
    /// `L` (0) and `L-n` (n): days counted back from the last of the month.
    var fromLast = BitSet64()
    /// `LW`: the last weekday (Monday to Friday) of the month.
    var lastWeekday = false
    /// `nW`: the weekday nearest to day n, within the month.
    var nearestWeekday = BitSet64()
    /// Written as `*` or `?` (crontab: starts with `*`), which decides crontab's OR rule.
    var unrestricted = false

    /// Whether only plain days are used (lets the search skip ahead by bits).
    var isPlain: Bool { fromLast.isEmpty && !lastWeekday && nearestWeekday.isEmpty }

    func matches(day: Int, daysInMonth dim: Int, weekday: Int) -> Bool {
        if days.contains(day) { return true }
        if !fromLast.isEmpty, fromLast.contains(dim - day) { return true }
        if lastWeekday {
            let weekdayOfLast = (weekday + dim - day) % 7
            let target = weekdayOfLast == 6 ? dim - 1 : (weekdayOfLast == 0 ? dim - 2 : dim)
            if day == target { return true }
        }
        if !nearestWeekday.isEmpty, weekday >= 1, weekday <= 5 {
            var rest = nearestWeekday.bits
            while rest != 0 {
                let n = rest.trailingZeroBitCount
                rest &= rest - 1
                guard n <= dim, abs(n - day) <= 2 else { continue }
                let weekdayOfN = ((weekday + n - day) % 7 + 7) % 7
                if DayOfMonthField.nearestWeekday(to: n, daysInMonth: dim, weekdayOfN: weekdayOfN) == day { return true }
            }
        }
        return false
    }

    /// Quartz's `nW`: n itself on a weekday; a Saturday moves to Friday (or to
    /// Monday the 3rd when n is the 1st); a Sunday moves to Monday (or to Friday
    /// when n is the last day). Never leaves the month.
    static func nearestWeekday(to n: Int, daysInMonth dim: Int, weekdayOfN w: Int) -> Int {
        switch w {
        case 6: return n == 1 ? 3 : n - 1
        case 0: return n == dim ? n - 2 : n + 1
        default: return n
        }
    }
}

/// The day-of-week field: weekdays (0 = Sunday) plus Quartz's `dL` and `d#n`.
struct DayOfWeekField: Sendable, Hashable {
    var weekdays = BitSet64()
    /// `dL`: the last weekday d of the month.
    var lastInMonth = BitSet64()
    /// `d#n`: bit `d * 8 + n`, the n-th (1...5) weekday d of the month.
    var nth = BitSet64()
    var unrestricted = false

    func matches(day: Int, daysInMonth dim: Int, weekday: Int) -> Bool {
        if weekdays.contains(weekday) { return true }
        if lastInMonth.contains(weekday), day + 7 > dim { return true }
        if nth.contains(weekday * 8 + (day - 1) / 7 + 1) { return true }
        return false
    }
}
