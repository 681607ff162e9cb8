/// A worker instance the dispatcher could hand an execution to, as it stands now.
public struct WorkerCandidate: Sendable, Hashable {
    /// The worker's daemon id; unique among the candidates of one choice.
    public var id: String
    /// Executions dispatched to it and not yet finished, as this gateway knows them.
    public var outstanding: Int
    /// Slots it advertises as free.
    public var freeSlots: Int
    /// Whether it serves the execution's job type.
    public var servesJob: Bool
    /// Whether its circuit breaker would permit a call (`CircuitBreaker.wouldPermit(now:)`).
    public var breakerAllows: Bool

    public init(id: String, outstanding: Int, freeSlots: Int, servesJob: Bool = true, breakerAllows: Bool = true) {
        self.id = id
        self.outstanding = outstanding
        self.freeSlots = freeSlots
        self.servesJob = servesJob
        self.breakerAllows = breakerAllows
    }

    /// Serves the job, has a free slot and is not behind a refusing breaker.
    public var isEligible: Bool { servesJob && freeSlots > 0 && breakerAllows }
}

/// How the dispatcher spreads executions over eligible workers (`balance =` in the config).
public enum BalanceStrategy: String, Sendable, Hashable, CaseIterable, Codable {
    /// The less loaded (fewer outstanding) of two distinct random choices; ties at random.
    case p2c
    /// Each worker in turn, in order of id.
    case roundRobin = "round-robin"
    /// Any eligible worker, uniformly.
    case random
}

/// Chooses a worker for one dispatch. Pure apart from the random generator the
/// caller passes in (seeded in tests) and the round-robin cursor kept here.
public struct Balancer: Sendable {
    public var strategy: BalanceStrategy
    /// The round-robin cursor: the id chosen last. Kept as an id rather than an
    /// index so the rotation survives workers joining and leaving between calls.
    public private(set) var lastChosenID: String?

    public init(strategy: BalanceStrategy = .p2c) {
        self.strategy = strategy
    }

    /// The worker to dispatch to, among the eligible candidates whose id is not in
    /// `exclude` (the instances this dispatch already failed on); nil when none is left.
    public mutating func choose(from candidates: [WorkerCandidate], exclude: Set<String> = [],
                                random: inout some RandomNumberGenerator) -> WorkerCandidate? {
        let eligible = candidates.filter { $0.isEligible && !exclude.contains($0.id) }
        guard !eligible.isEmpty else { return nil }
        let chosen: WorkerCandidate
        switch strategy {
        case .random:
            chosen = eligible[Int.random(in: 0..<eligible.count, using: &random)]
        case .p2c:
            chosen = Self.powerOfTwoChoices(eligible, random: &random)
        case .roundRobin:
            let ordered = eligible.sorted { $0.id < $1.id }
            if let last = lastChosenID, let next = ordered.first(where: { $0.id > last }) {
                chosen = next
            } else {
                chosen = ordered[0]
            }
        }
        lastChosenID = chosen.id
        return chosen
    }

    static func powerOfTwoChoices(_ eligible: [WorkerCandidate],
                                  random: inout some RandomNumberGenerator) -> WorkerCandidate {
        if eligible.count == 1 { return eligible[0] }
        let i = Int.random(in: 0..<eligible.count, using: &random)
        // A second index drawn from the others, so the two choices are distinct.
        var j = Int.random(in: 0..<(eligible.count - 1), using: &random)
        if j >= i { j += 1 }
        let a = eligible[i], b = eligible[j]
        if a.outstanding != b.outstanding { return a.outstanding < b.outstanding ? a : b }
        return Bool.random(using: &random) ? a : b
    }
}
