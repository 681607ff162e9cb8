import Schedule

extension SchedulePlan {
    /// The plan of a configured schedule: its cron expression parsed, or its
    /// rate or delay, its initial delay, and its zone loaded from the tz database.
    /// A definition read back from Redis is checked again, so a bad one is an
    /// error here rather than a crash.
    public init(definition d: ScheduleDefinition) throws(CronError) {
        let zone = try ZoneRules.named(d.zone)
        func refuse(_ what: String) -> CronError {
            CronError(kind: .syntax, input: "schedule \(d.name)",
                      reason: "\(what); fix the [schedule \"\(d.name)\"] section")
        }
        let trigger: ScheduleTrigger
        switch d.trigger {
        case .cron(let text): trigger = .cron(try CronExpression(parsing: text))
        case .fixedRate:
            guard let ms = d.fixedRateMs, ms > 0 else { throw refuse("fixed-rate must be longer than 0") }
            trigger = .fixedRate(milliseconds: ms)
        case .fixedDelay:
            guard let ms = d.fixedDelayMs, ms > 0 else { throw refuse("fixed-delay must be longer than 0") }
            trigger = .fixedDelay(milliseconds: ms)
        }
        guard d.initialDelayMs >= 0 else { throw refuse("initial-delay must not be negative") }
        self.init(trigger: trigger, initialDelayMilliseconds: d.initialDelayMs, zone: zone)
    }
}
