/// A cron expression: Spring's six fields (second minute hour day-of-month month
/// day-of-week) or a crontab(5) line of five (seconds = 0).
///
/// Six fields follow Spring's `CronExpression` (5.3+): names, ranges, steps,
/// lists, `?`, `L`, `L-n`, `LW`, `nW`, `dL`, `d#n`, day of week 0 and 7 both
/// Sunday, the macros `@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`,
/// `@midnight`, `@hourly`, and day of month AND day of week must both match.
/// Five fields follow crontab(5): when both day fields are restricted (neither
/// starts with `*` or `?`, as in cronie), either may match.
///
/// Expressions that can never fire (`0 0 0 30 2 *`) are refused when parsed.
public struct CronExpression: Sendable, Hashable, CustomStringConvertible {
    /// The expression as written (trimmed).
    public let expression: String
    /// Whether it was written as a five-field crontab line.
    public let isCrontab: Bool

    var seconds = BitSet64()
    var minutes = BitSet64()
    var hours = BitSet64()
    var daysOfMonth = DayOfMonthField()
    var months = BitSet64()
    var daysOfWeek = DayOfWeekField()
    /// crontab(5)'s rule: both day fields restricted, so either may match.
    var eitherDayMatches = false

    public var description: String { expression }

    /// Parses an expression, refusing malformed ones and ones that never fire
    /// with an error that names the field and what to do.
    public init(parsing text: String) throws(CronError) {
        let trimmed = text.trimmingWhitespace()
        expression = trimmed
        var source = trimmed
        if trimmed.hasPrefix("@") {
            guard let expanded = CronExpression.macros[trimmed.lowercased()] else {
                throw CronError(kind: .syntax, input: trimmed,
                                reason: "unknown macro \(trimmed); use @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly")
            }
            source = expanded
        }
        let parts = source.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard parts.count == 6 || parts.count == 5 else {
            throw CronError(kind: .syntax, input: trimmed,
                            reason: "expected 6 fields (second minute hour day-of-month month day-of-week) or a 5-field crontab line (minute hour day-of-month month day-of-week), found \(parts.count)")
        }
        isCrontab = parts.count == 5
        let fields: [Substring] = isCrontab ? ["0"] + parts : Array(parts)
        let parser = CronParser(input: trimmed, crontab: isCrontab)
        seconds = try parser.plain(fields[0], field: 1)
        minutes = try parser.plain(fields[1], field: 2)
        hours = try parser.plain(fields[2], field: 3)
        daysOfMonth = try parser.daysOfMonth(fields[3])
        months = try parser.plain(fields[4], field: 5)
        daysOfWeek = try parser.daysOfWeek(fields[5])
        eitherDayMatches = isCrontab && !daysOfMonth.unrestricted && !daysOfWeek.unrestricted
        try refuseIfNeverFires()
    }

    /// Spring's macros, as six-field expressions.
    static let macros: [String: String] = [
        "@yearly": "0 0 0 1 1 *", "@annually": "0 0 0 1 1 *", "@monthly": "0 0 0 1 * *",
        "@weekly": "0 0 0 * * 0", "@daily": "0 0 0 * * *", "@midnight": "0 0 0 * * *",
        "@hourly": "0 0 * * * *",
    ]

    func dayMatches(day: Int, daysInMonth dim: Int, weekday: Int) -> Bool {
        if eitherDayMatches {
            return daysOfMonth.matches(day: day, daysInMonth: dim, weekday: weekday)
                || daysOfWeek.matches(day: day, daysInMonth: dim, weekday: weekday)
        }
        return daysOfMonth.matches(day: day, daysInMonth: dim, weekday: weekday)
            && daysOfWeek.matches(day: day, daysInMonth: dim, weekday: weekday)
    }

    /// The Gregorian calendar repeats every 400 years (146,097 days, a whole
    /// number of weeks), so a wall-clock pattern that matches nothing in one
    /// cycle matches nothing ever.
    private func refuseIfNeverFires() throws(CronError) {
        let start = LocalDateTime(year: 2000, month: 1, day: 1).wallSeconds
        if nextWallMatch(from: start, untilYear: 2400) != nil { return }
        let monthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
        let dayField = isCrontab ? 3 : 4
        if daysOfMonth.isPlain, !eitherDayMatches {
            let chosen = (1...12).filter { months.contains($0) }
            let longest = chosen.map { $0 == 2 ? 29 : Civil.daysInMonth(year: 2001, month: $0) }.max() ?? 31
            let days = (1...31).filter { daysOfMonth.days.contains($0) }
            if let first = days.first, first > longest {
                let names = chosen.map { monthNames[$0 - 1] }.joined(separator: ",")
                let list = days.map(String.init).joined(separator: ",")
                throw CronError(kind: .neverFires, input: expression, field: dayField, fieldName: "day of month",
                                reason: "day \(list) never occurs in \(names) (at most \(longest) days); the expression would never fire")
            }
        }
        throw CronError(kind: .neverFires, input: expression, field: isCrontab ? 5 : 6, fieldName: "day of week",
                        reason: "the day of month and the day of week never coincide in a whole 400-year calendar cycle; the expression would never fire")
    }
}

private extension String {
    func trimmingWhitespace() -> String {
        let s = self.drop(while: { $0.isWhitespace })
        return String(s.reversed().drop(while: { $0.isWhitespace }).reversed())
    }
}
