import Schedule

extension ScheduleDefinition {
    /// The idempotency key of this schedule's fire at `epochMillis`: `schedule:<name>:<ms>`. A
    /// gateway admits it only with the request a scheduler (or a backfill) bound to the fire's key.
    public static func fireKey(_ name: String, _ epochMillis: Int64) -> String { "schedule:\(name):\(epochMillis)" }

    /// The request of this schedule's fire at `at`, as the scheduler sends it and a backfill
    /// sends it again: the same key, parameters and labels, so the same fingerprint, and a tick
    /// fired by both is one execution.
    public func fireRequest(at: Instant, zone: ZoneRules) -> BatchExecutionRequest {
        let filled = expandScheduleParams(params, schedule: name, fireTime: at, zone: zone)
        return BatchExecutionRequest(jobType: job, params: filled.mapValues { .string($0) },
                                     idempotencyKey: Self.fireKey(name, at.millisecondsSinceEpoch), priority: priority,
                                     trigger: Trigger(source: "schedule", schedule: name, fireTime: at.iso8601(in: zone)))
    }
}
