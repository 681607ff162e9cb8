/// Which failures move a call on to the next base URL; any other failure ends it.
public enum Failover: Sendable {
    /// Only a refused connection: the request never left, so no daemon can have acted on it.
    /// For changes that are not safe to repeat (a cancel, a retry, a trigger without idempotency key).
    case whenNotSent
    /// Also timeouts, resets, 408, 429, 5xx and an answer that does not decode: for requests
    /// that are safe to repeat elsewhere (the scheduler's fires carry an idempotency key).
    case whenNotTaken
    /// Every failure but an answer with one of these statuses, which ends the call: for a cancel,
    /// whose 404 or 409 says there is nothing left to cancel.
    case exceptAnswers(Set<Int>)

    /// Whether the call moves on to the next base URL after `f`.
    public func passesOver(_ f: CallFailure) -> Bool {
        switch self {
        case .whenNotSent: return f.notSent
        case .whenNotTaken:
            switch f {
            case .transport, .undecodable: return true
            case .refused(let p): return p.status == 408 || p.status == 429 || p.status >= 500
            }
        case .exceptAnswers(let final):
            if case .refused(let p) = f { return !final.contains(p.status) }
            return true
        }
    }
}
