/// What an operator can ask of a breaker (`batchctl breakers force-open|force-close|reset`).
public enum BreakerOperation: String, Sendable, Hashable, CaseIterable {
    /// Close it with an empty window.
    case closed
    /// Open it as if its thresholds had been reached; it probes again after the wait.
    case open
    /// Let trial calls through now.
    case halfOpen = "half_open"
    /// Hold it open until an operator changes it again.
    case forcedOpen = "forced_open"
    /// Permit everything and record nothing.
    case disabled
    /// Record and compute rates, but never open.
    case metricsOnly = "metrics_only"
    /// Close it and forget everything recorded, even when it is already closed.
    case reset
}

extension CircuitBreaker {
    /// Applies an operator's request. Asking for the state the breaker is already
    /// in changes nothing (so a request repeated by every gateway is harmless),
    /// except `.reset`, which always empties the window.
    public mutating func transition(to operation: BreakerOperation, now: Int64) {
        switch operation {
        case .reset:
            if state == .closed {
                window = Self.closedWindow(config)
                notPermittedCalls = 0
                openedAt = nil
                halfOpenedAt = nil
            } else {
                toClosed(now: now, cause: .operator)
            }
        case .closed:
            if state != .closed { toClosed(now: now, cause: .operator) }
        case .open:
            if state != .open { toOpen(now: now, cause: .operator) }
        case .halfOpen:
            if state != .halfOpen { toHalfOpen(now: now, cause: .operator) }
        case .forcedOpen:
            if state != .forcedOpen {
                enter(.forcedOpen, now: now, cause: .operator, freshWindow: Self.closedWindow(config))
                openedAt = now
            }
        case .disabled:
            if state != .disabled {
                enter(.disabled, now: now, cause: .operator, freshWindow: Self.closedWindow(config))
            }
        case .metricsOnly:
            if state != .metricsOnly {
                enter(.metricsOnly, now: now, cause: .operator, freshWindow: Self.closedWindow(config))
            }
        }
    }

    mutating func toOpen(now: Int64, cause: BreakerTransition.Cause) {
        // The window that tripped the breaker stays, so its metrics show why it opened.
        enter(.open, now: now, cause: cause, freshWindow: nil)
        openedAt = now
    }

    mutating func toHalfOpen(now: Int64, cause: BreakerTransition.Cause) {
        let n = config.permittedNumberOfCallsInHalfOpenState
        enter(.halfOpen, now: now, cause: cause, freshWindow: .countBased(size: n, minimumCalls: n))
        halfOpenedAt = now
        halfOpenPermitsLeft = n
    }

    mutating func toClosed(now: Int64, cause: BreakerTransition.Cause) {
        enter(.closed, now: now, cause: cause, freshWindow: Self.closedWindow(config))
    }

    private mutating func enter(_ next: BreakerState, now: Int64, cause: BreakerTransition.Cause,
                                freshWindow: SlidingWindow?) {
        let previous = state
        state = next
        if let freshWindow {
            window = freshWindow
            notPermittedCalls = 0
        }
        if next != .open && next != .forcedOpen { openedAt = nil }
        if next != .halfOpen {
            halfOpenedAt = nil
            halfOpenPermitsLeft = 0
        }
        if pending.count >= Self.pendingLimit {
            pending.removeFirst()
            droppedTransitions += 1
        }
        pending.append(BreakerTransition(from: previous, to: next, at: now, cause: cause))
    }
}
