/// Every Redis key of the system, in one place (DESIGN.md §5). Nothing outside
/// this module spells a key, and inside it only `Keys.Name`'s table does: the
/// accessors below and the Lua scripts' `K` table (`Lua.keyTable`) are both made
/// from it. All keys of a namespace start with `batch:{NS}:`; the braces keep a
/// namespace in one Redis Cluster hash slot, which is what lets the Lua scripts
/// derive per-execution keys from the prefix.
public struct Keys: Sendable, Hashable {
    /// `batch:{NS}:`
    public let prefix: String

    public init(namespace: String) {
        prefix = "batch:{\(namespace)}:"
    }

    /// How one key is spelled after the namespace prefix: `head`, then the
    /// arguments joined by `:`, then `tail`. `lua` is its name in the scripts'
    /// `K` table (`K.leases`, `K.exec(id)`), the same as its accessor's here.
    struct Name: Sendable {
        let lua: String
        let head: String
        /// Parameter names of the Lua helper; none for a fixed key.
        let args: [String]
        let tail: String

        init(_ lua: String, _ head: String, _ args: [String] = [], tail: String = "") {
            self.lua = lua; self.head = head; self.args = args; self.tail = tail
        }

        func key(_ prefix: String) -> String { prefix + head }
        func key(_ prefix: String, _ a: String) -> String { tail.isEmpty ? prefix + head + a : prefix + head + a + tail }
        func key(_ prefix: String, _ a: String, _ b: String) -> String { prefix + head + a + ":" + b + tail }

        /// hash: one execution (fields: `Field`).
        static let exec = Name("exec", "exec:", ["id"])
        /// list: ids ready to dispatch at one priority, FIFO.
        static let queue = Name("queue", "queue:", ["priority"])
        /// zset: ids waiting for a retry backoff, by due time.
        static let delayed = Name("delayed", "delayed")
        /// zset: ids of `scheduled` executions by due time (ms, Redis time).
        static let due = Name("due", "due")
        /// zset: leased ids by lease expiry.
        static let leases = Name("leases", "leases")
        /// zset: ids in a state by last change time.
        static let byState = Name("byState", "by-state:", ["state"])
        /// zset: ids of a job type by creation time.
        static let byJob = Name("byJob", "by-job:", ["job"])
        /// zset: every retained id by creation time.
        static let recent = Name("recent", "recent")
        /// hash: job type → number of its executions holding a lease (fleet-wide concurrency).
        static let jobRunning = Name("jobRunning", "job-running")
        /// hash: a job type's rate bucket (fields: `RateField`), with a TTL once it would be full again.
        static let rate = Name("rate", "rate:", ["job"])
        /// hash: job type → when a claim last left its work queued for want of a rate token (ms, Redis time).
        static let rateLimited = Name("rateLimited", "rate-limited")
        /// string: execution id for an idempotency key, with a TTL.
        static let idempotency = Name("idempotency", "idem:", ["key"])
        /// string: id of the active execution holding a unique lock (`JobType.uniqueKey`), no TTL:
        /// it ends with that execution's terminal state.
        static let unique = Name("unique", "unique:", ["key"])
        /// list: last output lines of an execution.
        static let log = Name("log", "log:", ["id"])
        /// stream: one entry per transition and operator action (fields: `EventField`).
        static let events = Name("events", "events")
        /// stream: operator actions.
        static let audit = Name("audit", "audit")
        /// zset: daemon id by last heartbeat (Redis time, ms).
        static let daemons = Name("daemons", "daemons")
        /// hash: daemon id → JSON of its role, host, address, slots as last seen; outlives
        /// the daemon's own hash so that one that stopped without deregistering shows as lost.
        static let daemonsSeen = Name("daemonsSeen", "daemons:seen")
        /// hash: one daemon's registration and metrics snapshot.
        static let daemon = Name("daemon", "daemon:", ["id"])
        /// hash: job type → JSON job type (schema, concurrency) served by a worker.
        static let workerJobs = Name("workerJobs", "worker:", ["id"], tail: ":jobs")
        /// hash: worker id → JSON breaker state, as one gateway sees it.
        static let breakers = Name("breakers", "breakers:", ["gateway"])
        /// hash: worker id → operator override (`forced_open`, `closed`, `reset`) for every gateway.
        static let breakerOverrides = Name("breakerOverrides", "breaker-overrides")
        /// hash: schedule name → JSON definition and status.
        static let schedules = Name("schedules", "schedules")
        /// hash: schedule name → "1" while paused by an operator.
        static let schedulesPaused = Name("schedulesPaused", "schedules-paused")
        /// hash: job type → `<ms> <user>`: when and by whom its dispatch was paused, for every gateway.
        static let jobsPaused = Name("jobsPaused", "jobs-paused")
        /// string: the leading scheduler's id, with a TTL.
        static let schedulerLeader = Name("schedulerLeader", "scheduler:leader")
        /// string: set once per (schedule, fire instant), NX, with a TTL.
        static let fire = Name("fire", "fire:", ["schedule", "ms"])

        static let all: [Name] = [exec, queue, delayed, due, leases, byState, byJob, recent, jobRunning, rate, rateLimited, idempotency, unique, log,
                                  events, audit, daemons, daemonsSeen, daemon, workerJobs, breakers, breakerOverrides,
                                  schedules, schedulesPaused, jobsPaused, schedulerLeader, fire]
    }

    func exec(_ id: String) -> String { Name.exec.key(prefix, id) }
    func queue(_ priority: Int) -> String { Name.queue.key(prefix, String(priority)) }
    var delayed: String { Name.delayed.key(prefix) }
    var due: String { Name.due.key(prefix) }
    var leases: String { Name.leases.key(prefix) }
    func byState(_ state: String) -> String { Name.byState.key(prefix, state) }
    func byJob(_ job: String) -> String { Name.byJob.key(prefix, job) }
    var recent: String { Name.recent.key(prefix) }
    var jobRunning: String { Name.jobRunning.key(prefix) }
    func rate(_ job: String) -> String { Name.rate.key(prefix, job) }
    var rateLimited: String { Name.rateLimited.key(prefix) }
    func idempotency(_ key: String) -> String { Name.idempotency.key(prefix, key) }
    func unique(_ key: String) -> String { Name.unique.key(prefix, key) }
    func log(_ id: String) -> String { Name.log.key(prefix, id) }
    var events: String { Name.events.key(prefix) }
    var audit: String { Name.audit.key(prefix) }
    var daemons: String { Name.daemons.key(prefix) }
    var daemonsSeen: String { Name.daemonsSeen.key(prefix) }
    func daemon(_ id: String) -> String { Name.daemon.key(prefix, id) }
    func workerJobs(_ id: String) -> String { Name.workerJobs.key(prefix, id) }
    func breakers(_ gateway: String) -> String { Name.breakers.key(prefix, gateway) }
    var breakerOverrides: String { Name.breakerOverrides.key(prefix) }
    var schedules: String { Name.schedules.key(prefix) }
    var schedulesPaused: String { Name.schedulesPaused.key(prefix) }
    var jobsPaused: String { Name.jobsPaused.key(prefix) }
    var schedulerLeader: String { Name.schedulerLeader.key(prefix) }
    func fire(_ schedule: String, _ epochMs: Int64) -> String { Name.fire.key(prefix, schedule, String(epochMs)) }
}
