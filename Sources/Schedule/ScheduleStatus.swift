/// One schedule's status as the leading scheduler publishes it in Redis (the
/// `schedules` hash, JSON per name); `batchctl schedules` and `batchtop` read it.
/// Times are ISO 8601 in the schedule's zone, with their epoch milliseconds beside.
public struct ScheduleStatus: Codable, Sendable, Hashable {
    public var name: String
    public var job: String
    /// `cron 0 0 2 * * *`, `fixed-rate 1000ms` or `fixed-delay 30000ms`.
    public var trigger: String
    public var zone: String
    public var nextFire: String?
    public var nextFireMs: Int64?
    public var lastFire: String?
    public var lastFireMs: Int64?
    /// The execution the last delivered fire created.
    public var lastExecution: String?
    /// That execution's state as last seen, or `skipped:overlap`, `failed:<reason>`, `missed`.
    public var lastOutcome: String?
    /// When that execution ended, once it has (fixed-delay plans from it).
    public var lastEndMs: Int64?
    /// Paused by configuration or by an operator.
    public var paused: Bool
    /// Fires claimed but not yet delivered (gateway down, waiting on overlap).
    public var pending: Int
    /// The oldest pending fire, so a new leader looks back far enough to deliver it.
    public var pendingSinceMs: Int64?
    /// Fires dropped by the misfire rule since the schedule was defined.
    public var misfires: Int
    /// Where a fixed-rate grid starts, so every scheduler fires the same instants.
    public var anchorMs: Int64
    /// A hash of the definition: a changed definition starts a new grid.
    public var fingerprint: String
    /// The scheduler that wrote this.
    public var scheduler: String
    public var updatedMs: Int64

    public init(name: String, job: String, trigger: String, zone: String, nextFire: String? = nil,
                nextFireMs: Int64? = nil, lastFire: String? = nil, lastFireMs: Int64? = nil,
                lastExecution: String? = nil, lastOutcome: String? = nil, paused: Bool = false, pending: Int = 0,
                misfires: Int = 0, anchorMs: Int64, fingerprint: String, scheduler: String, updatedMs: Int64) {
        self.name = name; self.job = job; self.trigger = trigger; self.zone = zone
        self.nextFire = nextFire; self.nextFireMs = nextFireMs; self.lastFire = lastFire; self.lastFireMs = lastFireMs
        self.lastExecution = lastExecution; self.lastOutcome = lastOutcome; self.paused = paused
        self.pending = pending; self.misfires = misfires; self.anchorMs = anchorMs
        self.fingerprint = fingerprint; self.scheduler = scheduler; self.updatedMs = updatedMs
    }
}
