/// What to do with fires missed while no scheduler ran (configuration `misfire`).
public enum MisfirePolicy: String, Sendable, Hashable, CaseIterable, Codable {
    /// Fire the latest missed fire once, then carry on.
    case fireOnce = "fire-once"
    /// Drop missed fires.
    case skip
}

/// Which of the missed fires to deliver now.
public struct MisfireDecision: Sendable, Hashable {
    /// Fire instants to deliver, oldest first: each keeps its own fire time.
    public let fire: [Instant]
    /// Fires older than the grace that are dropped (for the misfire metric).
    public let dropped: [Instant]
}

extension MisfirePolicy {
    /// Decides which of `missed` (fire instants not yet delivered, any order) to
    /// fire at `now`. Fires no older than `graceMilliseconds` are on time and
    /// always fire. Older ones are misfires: `fireOnce` fires the latest of them
    /// once, `skip` fires none of them. Fires after `now` are not missed and are
    /// left out of both lists.
    public func decide(missed: [Instant], now: Instant, graceMilliseconds: Int64) -> MisfireDecision {
        let due = missed.filter { $0 <= now }.sorted()
        let cutoff = now.adding(milliseconds: -graceMilliseconds)
        let late = due.filter { $0 < cutoff }
        let onTime = due.filter { $0 >= cutoff }
        switch self {
        case .fireOnce:
            guard let latest = late.last else { return MisfireDecision(fire: onTime, dropped: []) }
            return MisfireDecision(fire: [latest] + onTime, dropped: Array(late.dropLast()))
        case .skip:
            return MisfireDecision(fire: onTime, dropped: late)
        }
    }
}
