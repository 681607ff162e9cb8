/// An operator's change to one worker's breakers in every gateway at once: the value
/// `batchctl breakers force-open|force-close|reset` and batchtop write to the
/// `breaker-overrides` hash, and each gateway's breaker board applies.
public enum BreakerOverride: String, Sendable, CaseIterable, Hashable {
    case forceOpen = "force-open"
    case forceClose = "force-close"
    case reset

    /// The hash value. A close or a reset carries the time it was asked for, so asking
    /// again changes the value and every gateway applies it again.
    public func value(now: Int64) -> String {
        switch self {
        case .forceOpen: return "forced_open"
        case .forceClose: return "closed@\(now)"
        case .reset: return "reset@\(now)"
        }
    }

    /// What became of the breakers, for an operator: `breakers of w2 forced open`.
    public var done: String {
        switch self {
        case .forceOpen: return "forced open"
        case .forceClose: return "closed"
        case .reset: return "reset"
        }
    }
}
