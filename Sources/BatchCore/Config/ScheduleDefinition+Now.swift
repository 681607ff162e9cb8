import Schedule

extension ScheduleDefinition {
    /// The request an operator's "trigger now" sends to a gateway (`batchctl schedule
    /// trigger`, batchtop's `T`): the schedule's job, priority and parameters, filled as
    /// for a fire at `now`, labelled with the schedule but sent by `source`, not as one
    /// of the scheduler's own fires (those alone carry the fire's key).
    public func requestNow(at now: Instant, source: String, user: String) throws(CronError) -> BatchExecutionRequest {
        let zone = try ZoneRules.named(self.zone)
        let filled = expandScheduleParams(params, schedule: name, fireTime: now, zone: zone)
        return BatchExecutionRequest(jobType: job, params: filled.mapValues { .string($0) }, priority: priority,
                                     trigger: Trigger(source: source, schedule: name, fireTime: now.iso8601(in: zone), user: user))
    }
}
