/// Every Redis key of the system, in one place (DESIGN.md §5). Nothing outside
/// this module spells a key. All keys of a namespace start with `batch:{NS}:`;
/// the braces keep a namespace in one Redis Cluster hash slot, which is what
/// lets the Lua scripts derive per-execution keys from the prefix.
public struct Keys: Sendable, Hashable {
    /// `batch:{NS}:`
    public let prefix: String

    public init(namespace: String) {
        prefix = "batch:{\(namespace)}:"
    }

    /// hash: one execution.
    func exec(_ id: String) -> String { prefix + "exec:" + id }
    /// list: ids ready to dispatch at one priority, FIFO.
    func queue(_ priority: Int) -> String { prefix + "queue:\(priority)" }
    /// zset: ids waiting for a retry backoff, by due time.
    var delayed: String { prefix + "delayed" }
    /// zset: leased ids by lease expiry.
    var leases: String { prefix + "leases" }
    /// zset: ids in a state by last change time.
    func byState(_ state: String) -> String { prefix + "by-state:" + state }
    /// zset: ids of a job type by creation time.
    func byJob(_ job: String) -> String { prefix + "by-job:" + job }
    /// zset: every retained id by creation time.
    var recent: String { prefix + "recent" }
    /// hash: job type → number of its executions holding a lease (fleet-wide concurrency).
    var jobRunning: String { prefix + "job-running" }
    /// string: execution id for an idempotency key, with a TTL.
    func idempotency(_ key: String) -> String { prefix + "idem:" + key }
    /// list: last output lines of an execution.
    func log(_ id: String) -> String { prefix + "log:" + id }
    /// stream: one entry per transition and operator action.
    var events: String { prefix + "events" }
    /// stream: operator actions.
    var audit: String { prefix + "audit" }
    /// zset: daemon id by last heartbeat (Redis time, ms).
    var daemons: String { prefix + "daemons" }
    /// hash: daemon id → JSON of its role, host, address, slots as last seen; outlives
    /// the daemon's own hash so that one that stopped without deregistering shows as lost.
    var daemonsSeen: String { prefix + "daemons:seen" }
    /// hash: one daemon's registration and metrics snapshot.
    func daemon(_ id: String) -> String { prefix + "daemon:" + id }
    /// hash: job type → JSON job type (schema, concurrency) served by a worker.
    func workerJobs(_ id: String) -> String { prefix + "worker:" + id + ":jobs" }
    /// hash: worker id → JSON breaker state, as one gateway sees it.
    func breakers(_ gateway: String) -> String { prefix + "breakers:" + gateway }
    /// hash: worker id → operator override (`forced_open`, `closed`, `reset`) for every gateway.
    var breakerOverrides: String { prefix + "breaker-overrides" }
    /// hash: schedule name → JSON definition and status.
    var schedules: String { prefix + "schedules" }
    /// hash: schedule name → "1" while paused by an operator.
    var schedulesPaused: String { prefix + "schedules-paused" }
    /// string: the leading scheduler's id, with a TTL.
    var schedulerLeader: String { prefix + "scheduler:leader" }
    /// string: set once per (schedule, fire instant), NX, with a TTL.
    func fire(_ schedule: String, _ epochMs: Int64) -> String { prefix + "fire:\(schedule):\(epochMs)" }
}
