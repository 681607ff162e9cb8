/// A POSIX TZ rule such as `EST5EDT,M3.2.0,M11.1.0` or
/// `<+1030>-10:30<+11>-11,M10.1.0,M4.1.0`: the TZif footer that gives offsets
/// for every year past the file's table.
struct PosixRule: Sendable, Hashable {
    /// Standard offset, seconds east of UTC (POSIX writes it west-positive).
    var stdOffset: Int32
    var dst: DST?

    struct DST: Sendable, Hashable {
        var offset: Int32
        var start: RuleDate
        /// Local (standard) time of day of the start, seconds; may be negative or past 24h.
        var startTime: Int32
        var end: RuleDate
        /// Local (daylight) time of day of the end.
        var endTime: Int32
    }

    enum RuleDate: Sendable, Hashable {
        /// `Jn`: day 1...365, February 29 never counted.
        case julianNoLeap(Int)
        /// `n`: day 0...365, February 29 counted.
        case julianZero(Int)
        /// `Mm.w.d`: weekday d (0 = Sunday) of week w (5 = last) of month m.
        case monthWeekDay(month: Int, week: Int, weekday: Int)

        /// Days since the epoch of this date in `year`.
        func days(in year: Int) -> Int {
            let jan1 = Civil.daysFromCivil(year: year, month: 1, day: 1)
            switch self {
            case .julianNoLeap(let n):
                return jan1 + n - 1 + (Civil.isLeap(year) && n >= 60 ? 1 : 0)
            case .julianZero(let n):
                return jan1 + n
            case .monthWeekDay(let m, let w, let d):
                let first = Civil.daysFromCivil(year: year, month: m, day: 1)
                var day = first + (d - Civil.weekday(days: first) + 7) % 7 + (w - 1) * 7
                let dim = Civil.daysInMonth(year: year, month: m)
                while day >= first + dim { day -= 7 }
                return day
            }
        }
    }

    func offset(at t: Int64) -> Int32 {
        guard let dst else { return stdOffset }
        let year = Civil.civilFromDays(Int(Civil.floorDiv(t + Int64(stdOffset), 86_400))).year
        let start = Int64(dst.start.days(in: year)) * 86_400 + Int64(dst.startTime) - Int64(stdOffset)
        let end = Int64(dst.end.days(in: year)) * 86_400 + Int64(dst.endTime) - Int64(dst.offset)
        if start < end {
            return (t >= start && t < end) ? dst.offset : stdOffset
        }
        // Southern hemisphere: daylight time spans the new year.
        return (t >= end && t < start) ? stdOffset : dst.offset
    }

    init(stdOffset: Int32, dst: DST?) {
        self.stdOffset = stdOffset
        self.dst = dst
    }

    init?(parsing text: String) {
        var s = Substring(text)
        guard PosixRule.name(&s), let std = PosixRule.hms(&s) else { return nil }
        stdOffset = Int32(-std)
        if s.isEmpty { dst = nil; return }
        guard PosixRule.name(&s) else { return nil }
        var dstOffset = stdOffset + 3600
        if let first = s.first, first != "," {
            guard let o = PosixRule.hms(&s) else { return nil }
            dstOffset = Int32(-o)
        }
        var start = RuleDate.monthWeekDay(month: 3, week: 2, weekday: 0), startTime: Int32 = 7200
        var end = RuleDate.monthWeekDay(month: 11, week: 1, weekday: 0), endTime: Int32 = 7200
        if !s.isEmpty {
            guard PosixRule.eat(",", &s), let a = PosixRule.date(&s) else { return nil }
            start = a
            if PosixRule.eat("/", &s) { guard let v = PosixRule.hms(&s) else { return nil }; startTime = Int32(v) }
            guard PosixRule.eat(",", &s), let b = PosixRule.date(&s) else { return nil }
            end = b
            if PosixRule.eat("/", &s) { guard let v = PosixRule.hms(&s) else { return nil }; endTime = Int32(v) }
            guard s.isEmpty else { return nil }
        }
        dst = DST(offset: dstOffset, start: start, startTime: startTime, end: end, endTime: endTime)
    }

    private static func eat(_ c: Character, _ s: inout Substring) -> Bool {
        guard s.first == c else { return false }
        s.removeFirst()
        return true
    }

    private static func name(_ s: inout Substring) -> Bool {
        if s.first == "<" {
            guard let close = s.firstIndex(of: ">") else { return false }
            s = s[s.index(after: close)...]
            return true
        }
        var n = 0
        while let c = s.first, c.isLetter { s.removeFirst(); n += 1 }
        return n >= 3
    }

    private static func number(_ s: inout Substring) -> Int? {
        var v = 0, n = 0
        while let c = s.first, let d = c.wholeNumberValue, c.isASCII { v = v * 10 + d; s.removeFirst(); n += 1 }
        return n == 0 ? nil : v
    }

    /// `[+-]hh[:mm[:ss]]` in seconds.
    private static func hms(_ s: inout Substring) -> Int? {
        var sign = 1
        if s.first == "+" { s.removeFirst() } else if s.first == "-" { sign = -1; s.removeFirst() }
        guard let h = number(&s) else { return nil }
        var v = h * 3600
        if s.first == ":" { s.removeFirst(); guard let m = number(&s) else { return nil }; v += m * 60
            if s.first == ":" { s.removeFirst(); guard let x = number(&s) else { return nil }; v += x }
        }
        return sign * v
    }

    private static func date(_ s: inout Substring) -> RuleDate? {
        if s.first == "J" {
            s.removeFirst()
            guard let n = number(&s), (1...365).contains(n) else { return nil }
            return .julianNoLeap(n)
        }
        if s.first == "M" {
            s.removeFirst()
            guard let m = number(&s), eat(".", &s), let w = number(&s), eat(".", &s), let d = number(&s),
                  (1...12).contains(m), (1...5).contains(w), (0...6).contains(d) else { return nil }
            return .monthWeekDay(month: m, week: w, weekday: d)
        }
        guard let n = number(&s), (0...365).contains(n) else { return nil }
        return .julianZero(n)
    }
}
