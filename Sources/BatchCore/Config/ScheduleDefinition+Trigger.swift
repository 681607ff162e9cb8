extension ScheduleDefinition {
    /// The trigger as written: `cron 0 0 2 * * *`, `fixed-rate 1000ms`, `fixed-delay 30000ms`.
    public var triggerText: String {
        if let ms = fixedRateMs { return "fixed-rate \(ms)ms" }
        if let ms = fixedDelayMs { return "fixed-delay \(ms)ms" }
        return "cron \(cron ?? "")"
    }
}
