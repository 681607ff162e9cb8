extension ScheduleDefinition {
    /// The engine's plan for this `[schedule]` section, its zone loaded from the tz database.
    ///
    /// - Throws: `CronError` when the cron expression or the zone is refused (the
    ///   configuration checks both when it loads, so this means the files changed).
    public func plan(zones: (String) throws(CronError) -> ZoneRules = { z throws(CronError) in try ZoneRules.named(z) })
        throws(CronError) -> SchedulePlan {
        let zone = try zones(self.zone)
        let trigger: ScheduleTrigger
        if let ms = fixedRateMs {
            trigger = .fixedRate(milliseconds: max(1, ms))
        } else if let ms = fixedDelayMs {
            trigger = .fixedDelay(milliseconds: max(1, ms))
        } else {
            trigger = .cron(try CronExpression(parsing: cron ?? ""))
        }
        return SchedulePlan(trigger: trigger, initialDelayMilliseconds: max(0, initialDelayMs), zone: zone)
    }

    /// The trigger as written: `cron 0 0 2 * * *`, `fixed-rate 1000ms`, `fixed-delay 30000ms`.
    public var triggerText: String {
        if let ms = fixedRateMs { return "fixed-rate \(ms)ms" }
        if let ms = fixedDelayMs { return "fixed-delay \(ms)ms" }
        return "cron \(cron ?? "")"
    }
}
