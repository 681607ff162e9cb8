import BatchCore
import Foundation

/// Everything the console shows at one moment, read in one go by a `ConsoleDataSource`.
/// Times are absolute; ages and durations are drawn against `takenAt`, so drawing
/// never reads a clock.
public struct ConsoleSnapshot: Sendable, Equatable {
    public var takenAt: Date
    public var meters: Meters
    public var executions: [ExecutionRow]
    public var workers: [WorkerRow]
    public var schedules: [ScheduleRow]
    public var events: [EventRow]
    /// What the problems line and the sparklines are made from.
    public var health = Health()

    public init(takenAt: Date, meters: Meters = Meters(), executions: [ExecutionRow] = [], workers: [WorkerRow] = [],
                schedules: [ScheduleRow] = [], events: [EventRow] = []) {
        self.takenAt = takenAt; self.meters = meters; self.executions = executions
        self.workers = workers; self.schedules = schedules; self.events = events
    }

    /// The header's numbers.
    public struct Meters: Sendable, Equatable {
        public var workersUp: Int
        public var workersKnown: Int
        /// Workers whose registration expired without a clean stop (still counted in `workersKnown`).
        public var workersLost: Int = 0
        public var queueDepth: Int
        public var running: Int
        /// Free and busy worker slots together.
        public var slots: Int
        /// Executions finished per second over the last minute.
        public var throughputPerSecond: Double
        /// Share of finished executions that succeeded (0...1); nil before any finished.
        public var successRate: Double?
        /// 95th percentile of run time; nil when unknown.
        public var p95RunSeconds: Double?
        /// Executions by state, for the counts line.
        public var countsByState: [ExecutionState: Int]
        /// Job types whose queued work waits for rate tokens, each with its rate (`report 100/1m`).
        public var rateLimited: [String] = []

        public init(workersUp: Int = 0, workersKnown: Int = 0, queueDepth: Int = 0, running: Int = 0, slots: Int = 0,
                    throughputPerSecond: Double = 0, successRate: Double? = nil, p95RunSeconds: Double? = nil,
                    countsByState: [ExecutionState: Int] = [:]) {
            self.workersUp = workersUp; self.workersKnown = workersKnown; self.queueDepth = queueDepth
            self.running = running; self.slots = slots; self.throughputPerSecond = throughputPerSecond
            self.successRate = successRate; self.p95RunSeconds = p95RunSeconds; self.countsByState = countsByState
        }
    }
}

/// One execution in the executions view.
public struct ExecutionRow: Sendable, Equatable {
    public var id: String
    public var job: String
    public var state: ExecutionState
    public var reason: String?
    public var attempt: Int
    public var maxAttempts: Int
    public var worker: String?
    /// 0...100, when the job reports progress.
    public var progress: Int?
    public var created: Date
    public var started: Date?
    public var finished: Date?
    /// The one-line error of the attempt, when it failed with one (searched by `/`).
    public var error: String?
    /// When a scheduled execution is due to be queued.
    public var due: Date?

    public init(id: String, job: String, state: ExecutionState, reason: String? = nil, attempt: Int = 1, maxAttempts: Int = 1,
                worker: String? = nil, progress: Int? = nil, created: Date, started: Date? = nil, finished: Date? = nil,
                error: String? = nil, due: Date? = nil) {
        self.id = id; self.job = job; self.state = state; self.reason = reason; self.attempt = attempt
        self.maxAttempts = maxAttempts; self.worker = worker; self.progress = progress
        self.created = created; self.started = started; self.finished = finished; self.error = error; self.due = due
    }

    /// The state as an interactive screen draws it at `now`: a scheduled execution with the
    /// time left until it is due (`scheduled 4m12s`, which fits the STATE column), others as
    /// `shownState`.
    public func drawnState(at now: Date) -> String {
        guard state == .scheduled, let due else { return shownState }
        let left = due.timeIntervalSince(now)
        return "scheduled " + (left >= 0.5 ? Format.duration(left) : "now")
    }

    /// The state as the console shows it: a failure with its reason (`failed:worker_lost`).
    public var shownState: String {
        guard let r = reason, state == .failed else { return state.rawValue }
        return "\(state.rawValue):\(r)"
    }

    /// Run time so far (or in all, once finished); nil before it started.
    public func duration(at now: Date) -> TimeInterval? {
        guard let s = started else { return nil }
        return max(0, (finished ?? now).timeIntervalSince(s))
    }
}

/// One gateway's circuit breaker for a worker.
public struct BreakerRow: Sendable, Equatable {
    public var gateway: String
    /// `closed`, `open`, `half_open`, `forced_open`, `disabled`.
    public var state: String
    /// 0...1; nil while the breaker has too few calls to judge (shown `-`, as batchctl does).
    public var failureRate: Double?
    /// 0...1; nil while too few calls.
    public var slowRate: Double?
    public var calls: Int

    public init(gateway: String, state: String, failureRate: Double? = 0, slowRate: Double? = 0, calls: Int = 0) {
        self.gateway = gateway; self.state = state; self.failureRate = failureRate; self.slowRate = slowRate; self.calls = calls
    }
}

/// One worker in the workers view.
public struct WorkerRow: Sendable, Equatable {
    public var id: String
    public var host: String
    public var address: String
    public var slots: Int
    public var running: Int
    public var jobTypes: [String]
    public var breakers: [BreakerRow]
    public var lastHeartbeat: Date
    /// It stopped heartbeating without a clean stop: listed as lost, with what was last seen of it.
    public var lost: Bool

    public init(id: String, host: String, address: String, slots: Int, running: Int, jobTypes: [String],
                breakers: [BreakerRow] = [], lastHeartbeat: Date, lost: Bool = false) {
        self.id = id; self.host = host; self.address = address; self.slots = slots; self.running = running
        self.jobTypes = jobTypes; self.breakers = breakers; self.lastHeartbeat = lastHeartbeat; self.lost = lost
    }

    /// The worst breaker state any gateway holds for this worker: what an operator must see first.
    public var worstBreaker: BreakerRow? {
        let rank = ["forced_open": 5, "open": 4, "half_open": 3, "disabled": 2, "closed": 1]
        return breakers.max { (rank[$0.state] ?? 0, $0.failureRate ?? -1) < (rank[$1.state] ?? 0, $1.failureRate ?? -1) }
    }
}

/// One schedule in the schedules view.
public struct ScheduleRow: Sendable, Equatable {
    public var name: String
    public var job: String
    /// The cron expression, or `fixed-rate 30s` / `fixed-delay 1m`.
    public var expression: String
    public var nextFire: Date?
    public var lastFire: Date?
    public var lastExecution: String?
    /// The last execution's state, or what the scheduler did instead: `skipped:overlap`,
    /// `skipped:queue-full`, `missed`, `failed:<reason>` (see `ScheduleStatus.lastOutcome`).
    public var lastOutcome: String?
    public var paused: Bool

    public init(name: String, job: String, expression: String, nextFire: Date? = nil, lastFire: Date? = nil,
                lastExecution: String? = nil, lastOutcome: String? = nil, paused: Bool = false) {
        self.name = name; self.job = job; self.expression = expression; self.nextFire = nextFire
        self.lastFire = lastFire; self.lastExecution = lastExecution; self.lastOutcome = lastOutcome; self.paused = paused
    }
}

/// One entry of the event stream.
public struct EventRow: Sendable, Equatable {
    public var time: Date
    /// The event type: a transition (`dispatch`, `succeed`...) or an operator action.
    public var type: String
    /// The execution (or schedule, worker) the event is about.
    public var id: String
    public var text: String
    /// The execution the event is about, when it is about one (Enter opens it).
    public var execution: String?
    /// The event's own id in the stream: the selection follows it across refreshes.
    public var key: String?

    public init(time: Date, type: String, id: String, text: String, execution: String? = nil, key: String? = nil) {
        self.time = time; self.type = type; self.id = id; self.text = text; self.execution = execution; self.key = key
    }
}
