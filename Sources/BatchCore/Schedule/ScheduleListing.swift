/// What `batchctl schedule next` prints: the next fire times of a cron expression.
public enum ScheduleListing {
    /// The `count` fires of `expression` strictly after `from` (ISO 8601, read in
    /// `zone` when it has no offset; nil: `now`), each as ISO 8601 with the zone's
    /// offset in effect then, e.g. `2026-03-08T03:00:00-04:00`.
    ///
    /// - Throws: `CronError` naming the expression, zone or time that was refused,
    ///   or a count outside 1...1000.
    public static func nextFires(expression: String, from: String?, now: Instant, count: Int,
                                 zone zoneName: String = "UTC") throws(CronError) -> [String] {
        guard (1...1000).contains(count) else {
            throw CronError(kind: .time, input: String(count), reason: "count must be between 1 and 1000")
        }
        let zone = try ZoneRules.named(zoneName)
        let cron = try CronExpression(parsing: expression)
        let start = try from.map { t throws(CronError) in try Instant(iso8601: t, zone: zone) } ?? now
        return cron.nextFires(after: start, in: zone, count: count).map { $0.iso8601(in: zone) }
    }
}
