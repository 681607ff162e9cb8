import FoundationEssentials

/// One schedule's status as the leading scheduler publishes it in Redis (the
/// `schedules` hash, JSON per name); a new leader, `batchctl schedules` and `batchtop`
/// read it. Times are ISO 8601 in the schedule's zone, with their epoch milliseconds beside.
///
/// It decodes leniently, so a status written by an older or newer scheduler still
/// reads: a field that is missing or of another type reads as nil, or as an empty
/// `0`, `false` or `""` where the scheduler always writes one, and unknown fields are
/// passed over. A new leader adopts nothing from a status whose `fingerprint` is not
/// its schedule's, so an empty one is never adopted.
public struct ScheduleStatus: Codable, Sendable, Hashable {
    public var name: String?
    public var job: String?
    /// `cron 0 0 2 * * *`, `fixed-rate 1000ms` or `fixed-delay 30000ms`.
    public var trigger: String?
    public var zone: String?
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

    private enum CodingKeys: String, CodingKey {
        case name, job, trigger, zone, nextFire, nextFireMs, lastFire, lastFireMs, lastExecution, lastOutcome, lastEndMs
        case paused, pending, pendingSinceMs, misfires, anchorMs, fingerprint, scheduler, updatedMs
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func field<T: Decodable>(_ key: CodingKeys) -> T? { (try? c.decodeIfPresent(T.self, forKey: key)) ?? nil }
        name = field(.name); job = field(.job); trigger = field(.trigger); zone = field(.zone)
        nextFire = field(.nextFire); nextFireMs = field(.nextFireMs)
        lastFire = field(.lastFire); lastFireMs = field(.lastFireMs)
        lastExecution = field(.lastExecution); lastOutcome = field(.lastOutcome); lastEndMs = field(.lastEndMs)
        paused = field(.paused) ?? false
        pending = field(.pending) ?? 0; pendingSinceMs = field(.pendingSinceMs); misfires = field(.misfires) ?? 0
        anchorMs = field(.anchorMs) ?? 0; fingerprint = field(.fingerprint) ?? ""
        scheduler = field(.scheduler) ?? ""; updatedMs = field(.updatedMs) ?? 0
    }

    /// Decodes one published status; nil when the text is not a JSON object.
    public init?(json: String) {
        guard let s = try? JSONDecoder().decode(Self.self, from: Data(json.utf8)) else { return nil }
        self = s
    }
}
