/// What to do when a schedule fires while its previous execution still runs
/// (configuration `overlap`; Kubernetes CronJob's concurrency policy plus `queue`).
public enum OverlapPolicy: String, Sendable, Hashable, CaseIterable, Codable {
    /// Run both.
    case allow
    /// Drop this fire.
    case skip
    /// Deliver this fire when the previous execution ends.
    case queue
    /// Cancel the previous execution, then fire.
    case replace
}

/// The scheduler's action for one fire.
public enum OverlapDecision: Sendable, Hashable {
    case fire
    case skip
    case queueAfterPrevious
    case cancelPreviousThenFire
}

extension OverlapPolicy {
    public func decide(previousRunning: Bool) -> OverlapDecision {
        guard previousRunning else { return .fire }
        switch self {
        case .allow: return .fire
        case .skip: return .skip
        case .queue: return .queueAfterPrevious
        case .replace: return .cancelPreviousThenFire
        }
    }
}
