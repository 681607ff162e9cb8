import BatchCore
import Daemon
import Dispatch
import FoundationEssentials
import Platform
import Store
import Synchronization

/// The worker: admits dispatches into its slots, runs each attempt's job,
/// keeps the leases, writes output and ends to Redis, and drains on stop.
///
/// Threads: dispatches arrive on the HTTP handler pool; process events on the
/// runner's thread; builtins on a timer queue. None of them writes to Redis
/// for an attempt directly: every write of an attempt goes through its lane
/// (one of a few serial queues), renewals through `renewQueue`, and a timer on
/// `tickQueue` schedules flushes, renewals and the lease check.
public final class WorkerRuntime: Sendable {
    struct Table: Sendable {
        var capacity: Capacity
        var attempts: [String: Attempt] = [:]
        /// Attempts whose job ended and whose slot is free already; their end is still being written.
        var slotFreed: Set<String> = []
        var draining = false
        /// Admissions wait until `releaseEarlierRun` has handed back what an earlier run of this id held.
        var startingUp = false
        /// Ends of recent attempts, for `GET /api/batch/executions/{id}` after the end.
        var recent = RecentResults(limit: WorkerRuntime.recentLimit)
    }

    /// The results of the last `limit` attempts to end, by execution id: a ring of
    /// ids, the oldest overwritten first (no array shifted on every end).
    struct RecentResults: Sendable {
        let limit: Int
        private var ring: [String] = []
        private var next = 0
        private var byID: [String: BatchResult] = [:]

        init(limit: Int) { self.limit = limit }

        subscript(id: String) -> BatchResult? { byID[id] }

        var count: Int { byID.count }

        mutating func record(_ id: String, _ result: BatchResult) {
            if byID.updateValue(result, forKey: id) != nil { return }
            if ring.count < limit {
                ring.append(id)
                return
            }
            byID[ring[next]] = nil
            ring[next] = id
            next = (next + 1) % limit
        }
    }

    public let id: String
    let settings: WorkerSettings
    /// The job types served, by name; a reload replaces them (attempts keep the type they started with).
    let jobTable: Mutex<[String: JobType]>
    var jobs: [String: JobType] { jobTable.withLock { $0 } }
    let store: ExecutionStore
    let fleet: FleetRegistry
    let logger: Logger
    let metrics: WorkerMetrics
    let runner: ProcessRunner
    let builtins = BuiltinJobs()
    let httpJobs = HTTPJobs()
    let lanes: [DispatchQueue]
    let tickQueue = DispatchQueue(label: "batch.worker.tick")
    let renewQueue = DispatchQueue(label: "batch.worker.renew")
    let table: Mutex<Table>
    let loop = Mutex<LoopState>(LoopState())
    /// Touched by every tick of the lease loop: `/livez` and the systemd watchdog watch it.
    public let heartbeat = Heartbeat("worker lease loop", within: .seconds(30))
    /// Monotonic milliseconds; injectable for tests.
    let now: @Sendable () -> Int64
    /// How the lost-attempt path treats what an earlier run held: `[gateway] poison-threshold` and `dispatch-backoff`.
    let lostAttempts: (poisonThreshold: Int, backoffMillis: Int)
    static let recentLimit = 256
    /// Most dispatches in one `POST /api/batch`.
    public static let maxBatch = 256
    /// Bound of the result JSON written with the end.
    static let maxResult = 16 * 1024

    struct LoopState: Sendable {
        var running = false
        var nextRenewal: Int64 = 0
        var renewing = false
        var nextJobRegistration: Int64 = 0
        var renewalFailing = false
        /// The job types were written to Redis at least once.
        var registered = false
    }

    /// - Parameter releasesEarlierRun: refuse dispatches (429) until `releaseEarlierRun` ran.
    /// - Throws: `WorkerSetupError` when no job type is served or `job-types` names an unknown one.
    public init(id: String, configuration: Configuration, store: ExecutionStore, fleet: FleetRegistry, logger: Logger,
                metrics: MetricsRegistry, reaper: LeaseReaper? = nil, releasesEarlierRun: Bool = false,
                now: @escaping @Sendable () -> Int64 = WorkerClock.monotonicMillis) throws {
        let settings = configuration.worker
        if let problem = Self.setupProblems(configuration).first { throw WorkerSetupError(problem) }
        self.id = id
        self.settings = settings
        self.jobTable = Mutex(Self.served(configuration))
        self.store = store
        self.fleet = fleet
        self.logger = logger
        self.metrics = WorkerMetrics(metrics)
        self.now = now
        let log = logger
        runner = ProcessRunner(reaper: reaper, warn: { log.warning($0) })
        lanes = (0..<8).map { DispatchQueue(label: "batch.worker.lane\($0)") }
        var table = Table(capacity: Capacity(slots: settings.slots))
        table.startingUp = releasesEarlierRun
        self.table = Mutex(table)
        lostAttempts = (configuration.gateway.poisonThreshold, Int(configuration.gateway.dispatchBackoff.inMilliseconds))
        metrics.gauge("batch_worker_running", help: "Attempts running on this worker, by job.", labels: ["job"]) { [unowned self] in
            // Every job type served, at 0 while none runs.
            let running = self.table.withLock { $0.capacity.byJob }
            var out = self.jobs.keys.map { ([$0], Double(running[$0] ?? 0)) }
            for (job, n) in running where self.jobs[job] == nil { out.append(([job], Double(n))) }
            return out
        }
        metrics.gauge("batch_worker_slots", help: "Attempts this worker may run at once.") { Double(settings.slots) }
        self.metrics.prime(jobs: jobs.keys)
    }

    /// Why a worker cannot run with `configuration`: what `--check-config`, start and reload refuse.
    public static func setupProblems(_ configuration: Configuration) -> [String] {
        var out: [String] = []
        let settings = configuration.worker
        for name in settings.jobTypes where configuration.jobs[name] == nil {
            out.append("[worker] job-types names \"\(name)\", which has no [job \"\(name)\"] section; known: \(configuration.jobs.keys.sorted().joined(separator: ", "))")
        }
        if out.isEmpty && configuration.workerJobTypes.isEmpty {
            out.append("no job types to serve: add [job \"NAME\"] sections to the configuration, e.g. in /etc/batch/jobs.d (see batch.conf(5))")
        }
        if let dir = settings.logDir {
            var isDir = false
            if !FileManager.default.fileExists(atPath: dir, isDirectory: &isDir) || !isDir {
                out.append("[worker] log-dir \(dir) is not a directory; create it or remove the key")
            }
        }
        return out
    }

    static func served(_ configuration: Configuration) -> [String: JobType] {
        Dictionary(uniqueKeysWithValues: configuration.workerJobTypes.map { ($0.name, $0) })
    }

    /// Serves the job types of `configuration` from now on: new dispatches see types added,
    /// changed and removed; running attempts keep the definition they started with. The
    /// registration in Redis is rewritten at once. Settings other than job types need a restart.
    /// - Throws: `WorkerSetupError` (and changes nothing) when the configuration cannot be served.
    public func reload(_ configuration: Configuration) throws {
        if let problem = Self.setupProblems(configuration).first { throw WorkerSetupError(problem) }
        let next = Self.served(configuration)
        let before = jobTable.withLock { old in defer { old = next }; return old }
        metrics.prime(jobs: next.keys)
        let added = next.keys.filter { before[$0] == nil }.sorted()
        let removed = before.keys.filter { next[$0] == nil }.sorted()
        let changed = next.keys.filter { before[$0] != nil && before[$0] != next[$0] }.sorted()
        logger.notice("job types reloaded", ["served": String(next.count), "added": added.joined(separator: ","),
                                             "removed": removed.joined(separator: ","), "changed": changed.joined(separator: ",")])
        registerJobs()
    }

    /// nil while this worker takes work, else why not (`/readyz`).
    public func readiness() -> String? {
        let (draining, registered) = (table.withLock { $0.draining }, loop.withLock { $0.registered })
        if draining { return "draining: taking no new work" }
        if !registered { return "job types not registered in Redis yet" }
        return nil
    }

    /// Fields of the registration hash: `slots`, `running` and `jobs`.
    public func registrationFields() -> [String: String] {
        let running = table.withLock { $0.capacity.running }
        return [DaemonField.slots.rawValue: String(settings.slots), DaemonField.running.rawValue: String(running),
                DaemonField.jobs.rawValue: jobs.keys.sorted().joined(separator: ",")]
    }

    /// The job types as the gateway reads them: name → `JobType` JSON.
    func jobRegistration() -> [String: String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var out: [String: String] = [:]
        for (name, job) in jobs {
            if let d = try? encoder.encode(job) { out[name] = String(decoding: d, as: UTF8.self) }
        }
        return out
    }

    /// Attempts running now.
    public var runningCount: Int { table.withLock { $0.capacity.running } }

    func lane(for id: String) -> DispatchQueue {
        var h: UInt32 = 2166136261
        for b in id.utf8 { h = (h ^ UInt32(b)) &* 16777619 }
        return lanes[Int(h % UInt32(lanes.count))]
    }

    func attempt(_ id: String) -> Attempt? { table.withLock { $0.attempts[id] } }

    /// The attempt as it stands, or its end when it ended recently; nil when unknown here.
    public func result(of id: String) -> BatchResult? {
        let (a, recent) = table.withLock { ($0.attempts[id], $0.recent[id]) }
        return a?.snapshot() ?? recent
    }

    /// At start: hands back through the lost-attempt path (retry while attempts are left,
    /// `worker_lost` otherwise) every attempt that an earlier run of this worker id still
    /// holds in Redis. That run is dead (ids are unique among live workers), and so are its
    /// children (its lease reaper killed them when it died), so nothing waits for their leases
    /// to expire. Attempts this run admitted already are kept; dispatches wait meanwhile.
    public func releaseEarlierRun() {
        let keep = table.withLock { t in t.attempts.values.map { (id: $0.id, attempt: $0.number) } }
        do {
            let released = try store.releaseEarlierRun(worker: id, keeping: keep, poisonThreshold: lostAttempts.poisonThreshold,
                                                       backoffMillis: lostAttempts.backoffMillis)
            for (execution, state) in released {
                metrics.leasesLost.labels("earlier_run").inc()
                logger.warning("an earlier run of this worker held the attempt: handed back", ["execution": execution, "state": state.rawValue])
            }
            if !released.isEmpty { logger.notice("handed back the attempts of an earlier run of this worker", ["count": String(released.count)]) }
        } catch {
            logger.warning("cannot hand back the attempts of an earlier run of this worker; their leases will expire", ["error": error.description])
        }
        table.withLock { $0.startingUp = false }
    }

    /// Stops the attempt now (operator cancel); false when it does not run here.
    public func cancel(_ id: String) -> Bool {
        guard let a = attempt(id) else { return false }
        a.send(.cancelRequested)
        logger.info("cancelling", ["execution": id, "attempt": String(a.number)])
        return true
    }
}

/// The worker cannot start with this configuration.
public struct WorkerSetupError: Error, CustomStringConvertible {
    public var description: String
    init(_ d: String) { description = d }
}
