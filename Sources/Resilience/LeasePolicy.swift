import Platform

/// When a worker renews its lease on an attempt, and when it must give the attempt
/// up because it could not (DESIGN.md §4, promise 2: an attempt runs only while its
/// worker holds the lease).
///
/// Instants are on the worker's monotonic millisecond clock. `lastRenewedAt` is when
/// the last *successful* renewal (or the dispatch that granted the lease) was
/// **sent**, not when its answer came back: Redis set the expiry on receipt, which
/// is no earlier, so `lastRenewedAt + lease` never lies after the real expiry.
/// The safety margin must cover stopping the child (SIGTERM, the grace period,
/// SIGKILL), so the child is gone before another worker can take the attempt.
public struct LeasePolicy: Sendable, Hashable {
    /// The length of a lease, as granted by the gateway and each renewal.
    public var lease: Duration
    /// How often to renew.
    public var renewEvery: Duration
    /// How long before the expiry to give up.
    public var safetyMargin: Duration

    /// What the worker should do about a lease now.
    public enum Action: Sendable, Hashable {
        /// Nothing until this instant.
        case waitUntil(Int64)
        /// Send a renewal now.
        case renew
        /// Kill the child and write nothing: the lease may be gone.
        case abandon
    }

    /// Defaults: renew every third of the lease, give up a fifth of it before expiry.
    public init(lease: Duration, renewEvery: Duration? = nil, safetyMargin: Duration? = nil) {
        self.lease = lease
        self.renewEvery = renewEvery ?? lease / 3
        self.safetyMargin = safetyMargin ?? lease / 5
    }

    /// What is wrong with these settings, one message per problem; empty when usable.
    public func validationProblems() -> [String] {
        var problems: [String] = []
        if lease <= .zero { problems.append("lease is \(lease), but it must be more than 0") }
        if renewEvery <= .zero { problems.append("lease renewal interval is \(renewEvery), but it must be more than 0") }
        if safetyMargin < .zero { problems.append("lease safety margin is \(safetyMargin), but it must be 0 or more") }
        if lease > .zero, renewEvery > .zero, renewEvery >= lease - safetyMargin {
            problems.append("lease renewal interval \(renewEvery) leaves no time to renew before giving up at \(lease - safetyMargin) (lease \(lease) minus safety margin \(safetyMargin)); renew more often, at most every \((lease - safetyMargin) / 2) to allow one retry")
        }
        return problems
    }

    /// When to send the next renewal.
    public func renewalDue(lastRenewedAt: Int64) -> Int64 {
        ResilienceTime.adding(lastRenewedAt, renewEvery.inMilliseconds)
    }

    /// The instant from which the worker must give the attempt up.
    public func abandonAt(lastRenewedAt: Int64) -> Int64 {
        ResilienceTime.adding(lastRenewedAt, (lease - safetyMargin).inMilliseconds)
    }

    /// The instant past which the worker's lease reaper, a process outside the worker, kills the
    /// child unless a renewal moved it on: half the safety margin after `abandonAt`, so the worker
    /// gives up first whenever it can, and half the margin before the lease ends at the earliest
    /// (so a drift of the two clocks up to that much cannot let the child outlive the lease).
    public func reaperDeadline(lastRenewedAt: Int64) -> Int64 {
        ResilienceTime.adding(lastRenewedAt, (lease - safetyMargin / 2).inMilliseconds)
    }

    /// Whether the worker must give up: `now ≥ lastRenewedAt + lease − safetyMargin`.
    public func shouldAbandon(lastRenewedAt: Int64, now: Int64) -> Bool {
        now >= abandonAt(lastRenewedAt: lastRenewedAt)
    }

    /// Abandon once past the limit; renew once the interval has passed (and keep
    /// renewing on every tick after a failed renewal); otherwise wait.
    public func action(lastRenewedAt: Int64, now: Int64) -> Action {
        if shouldAbandon(lastRenewedAt: lastRenewedAt, now: now) { return .abandon }
        let due = renewalDue(lastRenewedAt: lastRenewedAt)
        return now >= due ? .renew : .waitUntil(due)
    }
}
