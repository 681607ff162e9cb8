/// Finding the next fire time.
extension CronExpression {
    /// The first instant strictly after `after` at which the expression fires in `zone`.
    ///
    /// A wall time that does not exist (DST gap) fires at the first instant after
    /// the gap (02:30 on a spring-forward day in America/New_York fires at 03:00
    /// EDT); one that exists twice (fall back) fires once, at its first
    /// occurrence. `nil` only when nothing matches in the next 400 years, which
    /// parsing already refuses.
    public func next(after: Instant, in zone: ZoneRules) -> Instant? {
        let afterSeconds = after.secondsSinceEpoch
        var wall = afterSeconds + Int64(zone.offsetSeconds(at: afterSeconds)) + 1
        let limitYear = LocalDateTime(wallSeconds: wall).year + 401
        while true {
            guard let w = nextWallMatch(from: wall, untilYear: limitYear) else { return nil }
            let (t, offset) = zone.firstSeconds(atWall: w)
            if t > afterSeconds { return Instant(secondsSinceEpoch: t) }
            // `after` lies in the second pass of a repeated hour and this wall
            // time's first occurrence already fired: every wall time up to the
            // end of the repeated stretch (the transition seen with the earlier
            // offset) fired already, so resume there.
            guard let offset else { wall = w + 1; continue }
            let change = zone.firstChange(after: t, notAfter: afterSeconds)
            wall = max(w + 1, min(afterSeconds + Int64(offset) + 1, change + Int64(offset)))
        }
    }

    /// The next `count` fires after `after`, e.g. for `batchctl schedule next`.
    public func nextFires(after: Instant, in zone: ZoneRules, count: Int) -> [Instant] {
        var out: [Instant] = []
        var t = after
        while out.count < count, let n = next(after: t, in: zone) {
            out.append(n)
            t = n
        }
        return out
    }

    /// The first wall time at or after `start` (wall seconds, epoch read as UTC)
    /// that matches, before January 1st of `limit`.
    func nextWallMatch(from start: Int64, untilYear limit: Int) -> Int64? {
        let t = LocalDateTime(wallSeconds: start)
        var y = t.year, m = t.month, d = t.day, h = t.hour, mi = t.minute, s = t.second
        while true {
            if y >= limit { return nil }
            guard let month = months.next(atOrAfter: m) else {
                y += 1; m = 1; d = 1; h = 0; mi = 0; s = 0
                continue
            }
            if month != m { m = month; d = 1; h = 0; mi = 0; s = 0 }
            let dim = Civil.daysInMonth(year: y, month: m)
            let firstOfMonth = Civil.daysFromCivil(year: y, month: m, day: 1)
            var found = false
            while d <= dim {
                if daysOfMonth.isPlain, !eitherDayMatches {
                    // Skip straight to the next listed day.
                    guard let next = daysOfMonth.days.next(atOrAfter: d), next <= dim else { d = dim + 1; break }
                    if next != d { d = next; h = 0; mi = 0; s = 0 }
                }
                if dayMatches(day: d, daysInMonth: dim, weekday: Civil.weekday(days: firstOfMonth + d - 1)) {
                    found = true
                    break
                }
                d += 1; h = 0; mi = 0; s = 0
            }
            if !found {
                m += 1; d = 1; h = 0; mi = 0; s = 0
                continue
            }
            guard let hour = hours.next(atOrAfter: h) else {
                d += 1; h = 0; mi = 0; s = 0
                continue
            }
            if hour != h { h = hour; mi = 0; s = 0 }
            guard let minute = minutes.next(atOrAfter: mi) else {
                h += 1; mi = 0; s = 0
                continue
            }
            if minute != mi { mi = minute; s = 0 }
            guard let second = seconds.next(atOrAfter: s) else {
                mi += 1; s = 0
                continue
            }
            return Int64(firstOfMonth + d - 1) * 86_400 + Int64(h * 3600 + mi * 60 + second)
        }
    }
}
