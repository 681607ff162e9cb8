import BatchCore
import Schedule

/// One fire of one schedule: the identity the fire key, the idempotency key and
/// every log line about it share.
public struct Fire: Sendable, Hashable, CustomStringConvertible {
    public var name: String
    public var at: Instant

    public init(name: String, at: Instant) { self.name = name; self.at = at }

    /// `schedule:<name>:<epoch-ms>`: makes redelivery of a fire safe at the gateway.
    public var idempotencyKey: String { ScheduleDefinition.fireKey(name, at.millisecondsSinceEpoch) }
    public var description: String { "\(name)@\(at.millisecondsSinceEpoch)" }
}

/// A claimed fire not yet delivered.
struct PendingFire: Sendable, Hashable {
    var at: Instant
    /// Delivery attempts so far.
    var attempts = 0
    /// Not retried before this.
    var notBefore: Instant
    /// `overlap = queue`: waits until the schedule's last execution ends; the
    /// misfire rule does not drop it.
    var queued = false
    /// Handed to a delivery thread; its result is awaited.
    var inFlight = false
}

/// What the leader knows of one schedule between fires.
struct ScheduleState: Sendable {
    var schedule: CompiledSchedule
    /// Bumped when the plan changes; older heap entries are skipped.
    var generation: UInt64
    /// Where the fixed-rate grid (and the initial delay) starts.
    var anchor: Instant
    var next: Instant?
    /// The latest fire handled (claimed by some scheduler) of this plan.
    var lastFire: Instant?
    /// The execution of the latest delivered fire, and what became of it.
    var lastExecution: String?
    var lastOutcome: String?
    /// When that execution finished (fixed-delay waits from it).
    var lastEnd: Instant?
    var misfires = 0
    var pending: [PendingFire] = []
    var pausedByOperator = false

    var name: String { schedule.name }
    var definition: ScheduleDefinition { schedule.definition }
    var paused: Bool { definition.paused || pausedByOperator }
    var isFixedDelay: Bool { definition.fixedDelayMs != nil }

    /// Whether the last execution may still be running (unknown outcomes count as running).
    var previousMayRun: Bool {
        guard lastExecution != nil else { return false }
        return !ScheduleState.isFinal(lastOutcome)
    }

    /// Whether an outcome text means the execution is over: a terminal state, or
    /// one of the scheduler's own outcomes (`failed:`, `skipped:`, `missed`).
    static func isFinal(_ outcome: String?) -> Bool {
        guard let outcome else { return false }
        if let state = ExecutionState(rawValue: outcome) { return state.isTerminal }
        return true
    }
}
