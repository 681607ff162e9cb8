import Synchronization

/// Where a run's outcome lands, for `RunningProcess.outcome` and `wait()`.
final class OutcomeBox: Sendable {
    private struct State {
        var outcome: ProcessOutcome?
        var waiters: [CheckedContinuation<ProcessOutcome, Never>] = []
    }
    private let state = Mutex(State())

    var outcome: ProcessOutcome? { state.withLock { $0.outcome } }

    func resolve(_ outcome: ProcessOutcome) {
        let waiters = state.withLock { s in
            s.outcome = outcome
            defer { s.waiters = [] }
            return s.waiters
        }
        for waiter in waiters { waiter.resume(returning: outcome) }
    }

    func wait() async -> ProcessOutcome {
        await withCheckedContinuation { continuation in
            let done: ProcessOutcome? = state.withLock { s in
                if let outcome = s.outcome { return outcome }
                s.waiters.append(continuation)
                return nil
            }
            if let done { continuation.resume(returning: done) }
        }
    }
}
