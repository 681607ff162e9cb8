/// What makes a schedule fire: Spring's `@Scheduled` `cron`, `fixedRate` or `fixedDelay`.
public enum ScheduleTrigger: Sendable, Hashable {
    case cron(CronExpression)
    /// Fires on a fixed grid: start + initial delay + k × period.
    case fixedRate(milliseconds: Int64)
    /// Fires this long after the previous execution ended.
    case fixedDelay(milliseconds: Int64)
}

/// The pure planner the scheduler daemon asks "when next?": a trigger, an
/// initial delay and the zone cron expressions are read in.
public struct SchedulePlan: Sendable, Hashable {
    public let trigger: ScheduleTrigger
    /// Nothing fires before `startedAt + initialDelayMilliseconds`.
    public let initialDelayMilliseconds: Int64
    public let zone: ZoneRules

    /// `fixedRate` and `fixedDelay` periods must be positive and the initial
    /// delay not negative: these come from configuration, so they are checked there
    /// and here only as a programmer error.
    public init(trigger: ScheduleTrigger, initialDelayMilliseconds: Int64 = 0, zone: ZoneRules = .utc) {
        precondition(initialDelayMilliseconds >= 0, "initial delay must not be negative")
        switch trigger {
        case .fixedRate(let p), .fixedDelay(let p): precondition(p > 0, "period must be positive")
        case .cron: break
        }
        self.trigger = trigger
        self.initialDelayMilliseconds = initialDelayMilliseconds
        self.zone = zone
    }

    /// The next fire strictly after `after`.
    ///
    /// - `cron`: the expression's next fire after `after`, and not before
    ///   `startedAt + initialDelay`.
    /// - `fixedRate`: the first grid point `startedAt + initialDelay + k × period`
    ///   after `after`; the grid never drifts with late fires.
    /// - `fixedDelay`: `startedAt + initialDelay` before the first fire; then
    ///   `lastEnd + delay`, or `nil` while the last fire's execution has not ended
    ///   (`lastEnd` missing or before `lastFire`). A due time already past comes
    ///   back as `after + 1 ms`, i.e. "now".
    ///
    /// `lastFire` and `lastEnd` are what the scheduler recorded; `startedAt` is
    /// when the schedule began (the daemon's start or the schedule's creation).
    public func nextFire(after: Instant, lastFire: Instant?, lastEnd: Instant?, startedAt: Instant) -> Instant? {
        let earliest = startedAt.adding(milliseconds: initialDelayMilliseconds)
        switch trigger {
        case .cron(let cron):
            return cron.next(after: max(after, earliest.adding(milliseconds: -1)), in: zone)
        case .fixedRate(let period):
            if after < earliest { return earliest }
            let k = after.milliseconds(since: earliest) / period + 1
            return earliest.adding(milliseconds: k * period)
        case .fixedDelay(let delay):
            let due: Instant
            if let lastFire {
                guard let lastEnd, lastEnd >= lastFire else { return nil }
                due = lastEnd.adding(milliseconds: delay)
            } else {
                due = earliest
            }
            return max(due, after.adding(milliseconds: 1))
        }
    }

    /// The latest `limit` fire instants in `(lastFire, now]`, oldest first:
    /// what was missed while no scheduler ran, for `MisfirePolicy.decide`.
    ///
    /// Cost grows with the fires inside the window actually scanned, not with
    /// the length of the outage: the window grows backwards from `now` by
    /// doubling until it holds `limit` fires or reaches `lastFire`.
    /// `fixedDelay` has no grid: its one due fire, if it is due.
    public func missedFires(after lastFire: Instant, through now: Instant, lastEnd: Instant?,
                            startedAt: Instant, limit: Int) -> [Instant] {
        guard limit > 0, now > lastFire else { return [] }
        if case .fixedDelay = trigger {
            guard let due = nextFire(after: lastFire, lastFire: lastFire, lastEnd: lastEnd, startedAt: startedAt),
                  due <= now else { return [] }
            return [due]
        }
        var window: Int64 = 1000
        while true {
            let lower = max(lastFire, now.adding(milliseconds: -window))
            var found: [Instant] = []
            var t = lower
            while let n = nextFire(after: t, lastFire: nil, lastEnd: nil, startedAt: startedAt), n <= now {
                found.append(n)
                if found.count > limit { found.removeFirst(found.count - limit) }
                t = n
            }
            if found.count >= limit || lower == lastFire { return found }
            window = window > Int64.max / 4 ? Int64.max / 2 : window * 2
        }
    }
}
