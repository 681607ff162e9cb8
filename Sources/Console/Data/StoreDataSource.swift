import BatchCore
import Foundation
import HTTP
import Redis
import Resilience
import Schedule
import Store

/// batchtop's view of a live deployment: reads Redis through the Store module, makes
/// changes to executions through a gateway's HTTP API, and writes an operator's
/// breaker overrides and schedule pauses through the Store, as batchctl does (no
/// gateway owns those: every gateway and scheduler reads them from Redis). Every call
/// blocks (Redis, HTTP); the console makes them on its background queue.
public final class StoreDataSource: ConsoleDataSource {
    /// How the data source reaches the fleet.
    public struct Settings: Sendable {
        /// A fixed gateway URL (`--gateway`); nil: the live gateways registered in Redis.
        public var gateway: String?
        /// Bearer token for the gateway's mutating endpoints.
        public var token: String?
        /// The operator, recorded with every action.
        public var user: String
        /// Bound of one gateway request.
        public var requestTimeout: Duration
        /// A daemon is up while its last heartbeat is younger than this.
        public var liveWithin: Duration
        /// Events fetched per snapshot.
        public var eventCount: Int
        /// Output lines shown in an execution's detail.
        public var logLines: Int
        /// How long a worker that stopped heartbeating without a clean stop stays listed as lost (`--lost-for`).
        public var lostFor: Duration
        /// The schedules of the configuration read: running one now needs its job and parameters,
        /// which only the configuration holds (Redis has the scheduler's status).
        public var schedules: [String: ScheduleDefinition]
        /// The configuration files read, named when a schedule is not in them.
        public var configFiles: [String]

        public init(gateway: String? = nil, token: String? = nil, user: String, requestTimeout: Duration = .seconds(10),
                    liveWithin: Duration = .seconds(5), eventCount: Int = 200, logLines: Int = 200,
                    lostFor: Duration = .seconds(3600), schedules: [String: ScheduleDefinition] = [:], configFiles: [String] = []) {
            self.gateway = gateway; self.token = token; self.user = user; self.requestTimeout = requestTimeout
            self.liveWithin = liveWithin; self.eventCount = eventCount; self.logLines = logLines; self.lostFor = lostFor
            self.schedules = schedules; self.configFiles = configFiles
        }
    }

    public let executions: ExecutionStore
    public let fleet: FleetRegistry
    public let schedules: ScheduleStore
    let settings: Settings
    let gateway: LiveGateway
    let history = HourHistory()

    public init(redis: RedisClient, namespace: String, settings: Settings, http: HTTPClient = HTTPClient()) {
        executions = ExecutionStore(redis: redis, namespace: namespace)
        fleet = FleetRegistry(redis: redis, namespace: namespace)
        schedules = ScheduleStore(redis: redis, namespace: namespace)
        self.settings = settings
        gateway = LiveGateway(client: http, user: settings.user, token: settings.token, timeout: settings.requestTimeout)
    }

    // MARK: reads

    public func snapshot(filter: String?, limit: Int) throws -> ConsoleSnapshot {
        // Daemons seen within `lostFor` are known; those within `liveWithin` are up; those whose
        // registration expired without a clean stop are lost, and stay listed as such.
        let (now, daemons) = try fleet.live(within: settings.lostFor, includeLost: true)
        let upSince = now - Int64(settings.liveWithin.components.seconds * 1000)
        let workers = daemons.filter { $0.role == "worker" }.sorted { $0.id < $1.id }
        let gateways = daemons.filter { $0.role == "gateway" && !$0.lost }.map(\.id)
        let jobs = try fleet.jobs(of: workers.map(\.id))
        let breakers = LiveRows.breakers(try fleet.breakers(gateways: gateways))
        let up = workers.filter { !$0.lost && $0.heartbeat >= upSince }

        let counts = try executions.counts()
        let depth = try executions.queueDepth()
        let lastMinute = try executions.endedCounts(since: now - LiveMeters.throughputWindowMillis)
        let lastTen = try executions.endedCounts(since: now - LiveMeters.successWindowMillis)

        var meters = ConsoleSnapshot.Meters()
        meters.workersUp = up.count
        meters.workersKnown = workers.count
        // Not heartbeating and not stopped cleanly (a clean stop deregisters): lost, from the
        // first missed heartbeats on, not only once its registration has expired.
        meters.workersLost = workers.count - up.count
        meters.queueDepth = depth.queued + depth.delayed
        meters.running = (counts[.dispatched] ?? 0) + (counts[.running] ?? 0) + (counts[.cancelling] ?? 0)
        meters.slots = up.reduce(0) { $0 + (Int($1[.slots] ?? "") ?? 0) }
        meters.throughputPerSecond = LiveMeters.throughput(ended: lastMinute, windowMillis: LiveMeters.throughputWindowMillis)
        meters.successRate = LiveMeters.successRate(ended: lastTen)
        meters.p95RunSeconds = LiveMeters.p95Seconds(try recentRunMillis())
        meters.countsByState = counts
        meters.rateLimited = try executions.rateLimited(since: now - ExecutionStore.rateLimitedFor).map { l in
            l.job + (l.rate.map { " \($0)" } ?? "")
        }

        // One bounded search per refresh (at most `ExecutionStore.searchExamineLimit` examined),
        // through all of Redis rather than the rows loaded; without a query, the newest executions.
        let query = Self.query(for: filter, jobs: Set(jobs.values.flatMap(\.keys)), now: now)
        let found = try query.map { q in try executions.search(q, limit: limit).executions } ?? executions.list(limit: limit).executions
        var snap = ConsoleSnapshot(
            takenAt: LiveRows.date(now),
            meters: meters,
            executions: found.map(LiveRows.execution),
            workers: workers.map { d in
                var row = LiveRows.worker(d, jobs: Array((jobs[d.id] ?? [:]).keys), breakers: breakers[d.id] ?? [])
                row.lost = d.lost || d.heartbeat < upSince
                return row
            },
            schedules: LiveRows.schedules(try schedules.statuses(), paused: try schedules.paused()),
            events: try executions.recentEvents(count: settings.eventCount).map(LiveRows.event))
        snap.health = try health(now: now, lastTen: lastTen)
        return snap
    }

    /// Run times of the most recently ended executions (succeeded, failed, timed out).
    func recentRunMillis() throws -> [Int64] {
        let n = LiveMeters.runTimeSample
        var ended: [ExecutionRecord] = []
        for state in [ExecutionState.succeeded, .failed, .timedOut] {
            ended += try executions.list(state: state, limit: n).executions
        }
        return ended.sorted { ($0.updated ?? 0) > ($1.updated ?? 0) }.prefix(n).compactMap(\.runMillis)
    }

    /// The search a filter stands for (`ExecutionQuery`; `now` anchors `since:1h`). A word naming
    /// a served job type exactly narrows to that job, as `job:NAME` does. nil for no filter, or
    /// one that is not a query (yet: `since:ye` while typed): the newest executions are fetched
    /// and the console filters them by their words.
    static func query(for filter: String?, jobs: Set<String>, now: Int64) -> ExecutionQuery? {
        guard let f = filter, var q = try? ExecutionQuery.parse(f, now: now), !q.isEmpty else { return nil }
        if q.job == nil, let job = ExecutionQuery.words(f).first(where: jobs.contains), let t = q.text.firstIndex(of: job.lowercased()) {
            q.job = job
            q.text.remove(at: t)
        }
        return q
    }

    public func detail(id: String) throws -> ExecutionDetail {
        guard let r = try executions.get(id) else { throw StoreError.notFound(id) }
        return LiveRows.detail(r, log: try executions.logTail(id, lines: settings.logLines))
    }

    public func jobTypes() throws -> [JobTypeInfo] {
        let (_, daemons) = try fleet.live(within: settings.liveWithin)
        // A draining worker takes no new work: its job types are not offered.
        let workers = daemons.filter { $0.role == "worker" && $0[.draining] != "1" }.map(\.id).sorted()
        let decoder = JSONDecoder()
        var byName: [String: JobType] = [:]
        for (_, types) in try fleet.jobs(of: workers).sorted(by: { $0.key < $1.key }) {
            for (name, json) in types where byName[name] == nil {
                if let t = try? decoder.decode(JobType.self, from: Data(json.utf8)) { byName[name] = t }
            }
        }
        return byName.keys.sorted().map { LiveRows.jobType(byName[$0]!) }
    }

    // MARK: changes, through a gateway

    public func trigger(job: String, params: [String: String], runLater: RunLater) throws -> String {
        try gateway.trigger(at: try gatewayURLs(), job: job, params: params, runLater: runLater)
    }

    public func cancel(id: String) throws {
        try gateway.cancel(at: try gatewayURLs(), id: id)
    }

    public func retry(id: String) throws -> String {
        try gateway.retry(at: try gatewayURLs(), id: id)
    }

    /// Runs a schedule's job now, through a gateway, labelled with the schedule and sent by batchtop.
    public func triggerSchedule(name: String) throws -> String {
        let def: ScheduleDefinition
        do { def = try .configured(name, in: settings.schedules, files: settings.configFiles, program: "batchtop") } catch {
            throw ConsoleError.refused(error.description)
        }
        let now = Instant(millisecondsSinceEpoch: try fleet.redisTime())
        let request: BatchExecutionRequest
        do { request = try def.requestNow(at: now, source: LiveGateway.source, user: settings.user) } catch {
            throw ConsoleError.refused("schedule \(name): \(error)")
        }
        return try gateway.execute(at: try gatewayURLs(), request)
    }

    /// `--gateway`, or the live gateways, freshest heartbeat first.
    func gatewayURLs() throws -> [String] {
        if let g = settings.gateway { return [g] }
        let (_, daemons) = try fleet.live(within: settings.liveWithin)
        return daemons.filter { $0.role == "gateway" && !$0.address.isEmpty }
            .sorted { ($0.heartbeat, $1.id) > ($1.heartbeat, $0.id) }.map(\.address)
    }

    // MARK: changes, straight through the Store (as batchctl makes them)

    /// The override goes to Redis, where every gateway reads it within about a second;
    /// the Store audits it with the operator and `batchtop` as its source.
    public func setBreaker(worker: String, _ override: BreakerOverride) throws {
        let now = try fleet.redisTime()
        try fleet.setBreakerOverride(worker: worker, override.value(now: now), user: settings.user, source: LiveGateway.source)
    }

    public func setPaused(schedule: String, _ paused: Bool) throws {
        try schedules.setPaused(schedule, paused, user: settings.user, source: LiveGateway.source)
    }
}
