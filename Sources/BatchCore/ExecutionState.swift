/// The states of an execution (DESIGN.md §3).
///
/// ```
/// scheduled ──(due)──> queued
/// queued ──> dispatched ──> running ──> succeeded | failed | timed_out
///   ^            │             │
///   └─ retrying <┴─────────────┘         (attempt failed, attempts left)
/// scheduled | queued | retrying ──cancel──> cancelled
/// dispatched | running ──cancel──> cancelling ──> cancelled
/// ```
public enum ExecutionState: String, Codable, Sendable, CaseIterable, Hashable {
    /// Created to run later (`notBefore` or `delay`): waits for its due time, then is queued.
    case scheduled
    case queued
    case dispatched
    case running
    case retrying
    case cancelling
    case succeeded
    case failed
    case timedOut = "timed_out"
    case cancelled

    /// A terminal execution never changes again.
    public var isTerminal: Bool {
        switch self {
        case .succeeded, .failed, .timedOut, .cancelled: return true
        default: return false
        }
    }

    /// States in which a worker holds (or may hold) a lease on the attempt.
    public var isLeased: Bool {
        switch self {
        case .dispatched, .running, .cancelling: return true
        default: return false
        }
    }

    public static let terminal: [ExecutionState] = allCases.filter(\.isTerminal)
}

/// Why an execution failed.
public enum FailureReason: String, Codable, Sendable, CaseIterable, Hashable {
    case exitCode = "exit_code"
    case signal
    case spawnError = "spawn_error"
    case workerLost = "worker_lost"
    case dispatchExhausted = "dispatch_exhausted"
    case poison
    case httpStatus = "http_status"
    case httpError = "http_error"
}

/// Something that happens to an execution. Every change of state is one of these,
/// and the Lua scripts of the store enforce the same table (see `ExecutionState.apply`).
public enum TransitionEvent: String, Sendable, CaseIterable, Hashable {
    /// A dispatcher claimed the id off the queue and leased it to a worker.
    case dispatch
    /// The dispatch failed (connection error, 5xx, refusal); the attempt never started.
    case dispatchFailed = "dispatch_failed"
    /// The worker started the child.
    case start
    /// The attempt ended well.
    case succeed
    /// The attempt ended badly and the job type allows another attempt.
    case failRetryable = "fail_retryable"
    /// The attempt ended badly and no attempt is left (or the job type does not retry).
    case fail
    /// The attempt ran past its timeout.
    case timeout
    /// A retry's backoff is over, or a scheduled execution's due time has come.
    case promote
    /// The lease ran out and attempts are left.
    case leaseExpiredRetryable = "lease_expired_retryable"
    /// The lease ran out and no attempt is left.
    case leaseExpired = "lease_expired"
    /// An operator asked to cancel.
    case cancel
    /// The worker confirmed the child is gone after a cancel.
    case cancelled
    /// A draining worker gives the attempt back without counting it.
    case handBack = "hand_back"
}

/// The result of applying an event to a state.
public enum TransitionOutcome: Equatable, Sendable {
    /// The execution moves to this state.
    case moved(ExecutionState)
    /// Nothing changes, and that is fine (a second cancel, say).
    case unchanged
    /// The event is not allowed in this state.
    case refused
}

extension ExecutionState {
    /// The transition table of DESIGN.md §3, as a pure function. The store's Lua
    /// scripts implement the same table; a test checks every pair against them.
    public func apply(_ event: TransitionEvent) -> TransitionOutcome {
        switch (self, event) {
        case (.queued, .dispatch): return .moved(.dispatched)
        case (.dispatched, .dispatchFailed): return .moved(.retrying)
        case (.dispatched, .start): return .moved(.running)
        case (.running, .start): return .unchanged
        // Started while its cancel was on the way: it stays cancelling and the worker stops it.
        case (.cancelling, .start): return .unchanged
        case (.running, .succeed), (.dispatched, .succeed): return .moved(.succeeded)
        case (.running, .failRetryable), (.dispatched, .failRetryable): return .moved(.retrying)
        case (.running, .fail), (.dispatched, .fail): return .moved(.failed)
        case (.running, .timeout), (.dispatched, .timeout): return .moved(.timedOut)
        case (.retrying, .promote), (.scheduled, .promote): return .moved(.queued)
        case (.dispatched, .leaseExpiredRetryable), (.running, .leaseExpiredRetryable): return .moved(.retrying)
        // An attempt that never started is not counted, so it is always retried.
        case (.dispatched, .leaseExpired): return .moved(.retrying)
        case (.running, .leaseExpired): return .moved(.failed)
        case (.cancelling, .leaseExpired), (.cancelling, .leaseExpiredRetryable): return .moved(.cancelled)
        case (.queued, .cancel), (.retrying, .cancel), (.scheduled, .cancel): return .moved(.cancelled)
        case (.dispatched, .cancel), (.running, .cancel): return .moved(.cancelling)
        case (.cancelling, .cancel): return .unchanged
        case (.cancelling, .cancelled), (.dispatched, .cancelled), (.running, .cancelled): return .moved(.cancelled)
        // A child that ended on its own while its cancel was on the way ends as it ended.
        case (.cancelling, .succeed): return .moved(.succeeded)
        case (.cancelling, .fail): return .moved(.failed)
        case (.cancelling, .timeout): return .moved(.timedOut)
        case (.cancelling, .failRetryable), (.cancelling, .dispatchFailed), (.cancelling, .handBack):
            return .moved(.cancelled)
        case (.dispatched, .handBack), (.running, .handBack): return .moved(.queued)
        case (let s, .cancel) where s.isTerminal: return .unchanged
        default: return .refused
        }
    }
}
