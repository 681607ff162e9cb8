import Platform

/// A circuit breaker for one worker instance, with Resilience4j's states and rules,
/// as a pure state machine: the caller feeds it events with the current instant of
/// its monotonic millisecond clock and performs whatever follows (refusing a call,
/// logging a transition, publishing the state). It never reads a clock or sleeps.
///
/// Use per dispatch:
/// ```swift
/// guard breaker.tryAcquirePermission(now: now) else { /* pick another worker */ }
/// // ... POST the job ...
/// breaker.onSuccess(duration: took, now: later)   // 202 accepted
/// breaker.onError(duration: took, now: later)     // connection error, timeout, 5xx
/// breaker.onIgnored(now: later)                   // 429 full, 404 unknown job type
/// for t in breaker.takeTransitions() { log(t); publish(breaker.metrics(now: later)) }
/// ```
/// To decide eligibility without spending a half-open trial permit, use
/// `wouldPermit(now:)`; acquire the permit only for the worker actually chosen.
/// When `nextTimerDeadline` is not nil, call `advance(now:)` once it has passed.
public struct CircuitBreaker: Sendable {
    public let config: CircuitBreakerConfig
    public internal(set) var state: BreakerState = .closed

    /// The recorded calls of the current state (the closed window, carried into open;
    /// a window of the trial calls in half-open).
    var window: SlidingWindow
    /// Calls refused since the last reset of the window.
    var notPermittedCalls = 0
    /// When the breaker last opened (or was forced open).
    var openedAt: Int64?
    /// When the breaker last became half-open.
    var halfOpenedAt: Int64?
    /// Trial permits left in the half-open state.
    var halfOpenPermitsLeft = 0
    /// Transitions not yet taken by the caller, oldest first.
    var pending: [BreakerTransition] = []
    /// Transitions dropped because the caller did not take them in time.
    public internal(set) var droppedTransitions = 0

    /// The most transitions kept for `takeTransitions()`; older ones are dropped.
    static let pendingLimit = 64

    /// A closed breaker. `config` must have no `validationProblems()` (the config
    /// loader checks them and reports them to the operator).
    public init(config: CircuitBreakerConfig = CircuitBreakerConfig()) {
        let problems = config.validationProblems()
        precondition(problems.isEmpty, "invalid circuit breaker config: \(problems.joined(separator: "; "))")
        self.config = config
        self.window = Self.closedWindow(config)
    }

    static func closedWindow(_ config: CircuitBreakerConfig) -> SlidingWindow {
        switch config.slidingWindowType {
        case .countBased:
            return .countBased(size: config.slidingWindowSize,
                               minimumCalls: min(config.minimumNumberOfCalls, config.slidingWindowSize))
        case .timeBased:
            return .timeBased(seconds: config.slidingWindowSize, minimumCalls: config.minimumNumberOfCalls)
        }
    }

    var waitMillis: Int64 { config.waitDurationInOpenState.inMilliseconds }
    var maxHalfOpenMillis: Int64 { config.maxWaitDurationInHalfOpenState.inMilliseconds }

    /// When an open breaker lets its first trial call through; nil in other states.
    public var nextProbeAt: Int64? {
        guard state == .open, let openedAt else { return nil }
        return ResilienceTime.adding(openedAt, waitMillis)
    }

    /// The instant at which `advance(now:)` has something to do: the automatic
    /// open → half-open step, or the end of the longest wait in half-open.
    public var nextTimerDeadline: Int64? {
        switch state {
        case .open where config.automaticTransitionFromOpenToHalfOpenEnabled:
            return nextProbeAt
        case .halfOpen where maxHalfOpenMillis > 0:
            return halfOpenedAt.map { ResilienceTime.adding($0, maxHalfOpenMillis) }
        default:
            return nil
        }
    }

    /// Applies the transitions that are due by `now` without any call: open →
    /// half-open when automatic and the wait has passed, half-open → open when it
    /// lasted longer than its maximum. Every other event method does this first.
    public mutating func advance(now: Int64) {
        if state == .halfOpen, maxHalfOpenMillis > 0, let halfOpenedAt,
           now >= ResilienceTime.adding(halfOpenedAt, maxHalfOpenMillis) {
            toOpen(now: now, cause: .halfOpenTimedOut)
            return
        }
        if state == .open, config.automaticTransitionFromOpenToHalfOpenEnabled,
           let probe = nextProbeAt, now >= probe {
            toHalfOpen(now: now, cause: .waitElapsed)
        }
    }

    /// Whether a call may go ahead now. Closed, disabled and metrics-only: always.
    /// Open: no, until the wait has passed; then the breaker turns half-open and
    /// the call is one of its trials. Half-open: only while trial permits remain.
    /// Forced open: never. Every refusal counts as a not-permitted call.
    public mutating func tryAcquirePermission(now: Int64) -> Bool {
        advance(now: now)
        switch state {
        case .closed, .disabled, .metricsOnly:
            return true
        case .open:
            if let probe = nextProbeAt, now >= probe {
                toHalfOpen(now: now, cause: .waitElapsed)
                return tryAcquirePermission(now: now)
            }
            notPermittedCalls += 1
            return false
        case .halfOpen:
            if halfOpenPermitsLeft > 0 {
                halfOpenPermitsLeft -= 1
                return true
            }
            notPermittedCalls += 1
            return false
        case .forcedOpen:
            notPermittedCalls += 1
            return false
        }
    }

    /// Whether `tryAcquirePermission(now:)` would permit a call now, without
    /// changing anything: for filtering candidates before one is chosen.
    public func wouldPermit(now: Int64) -> Bool {
        var copy = self
        return copy.tryAcquirePermission(now: now)
    }

    /// A permitted call succeeded; it is slow when it lasted longer than the threshold.
    public mutating func onSuccess(duration: Duration, now: Int64) {
        record(CallOutcome(failed: false, slow: duration > config.slowCallDurationThreshold), now: now)
    }

    /// A permitted call failed in a way that says the worker is unwell.
    public mutating func onError(duration: Duration, now: Int64) {
        record(CallOutcome(failed: true, slow: duration > config.slowCallDurationThreshold), now: now)
    }

    /// A permitted call ended in a way that says nothing about the worker's health
    /// (429 full, 404 unknown job type): nothing is recorded, and in half-open the
    /// trial permit is given back.
    public mutating func onIgnored(now: Int64) {
        advance(now: now)
        if state == .halfOpen {
            halfOpenPermitsLeft = min(halfOpenPermitsLeft + 1, config.permittedNumberOfCallsInHalfOpenState)
        }
    }

    /// The transitions since the last call, oldest first, to log, count and publish.
    public mutating func takeTransitions() -> [BreakerTransition] {
        defer { pending.removeAll(keepingCapacity: true) }
        return pending
    }

    private mutating func record(_ outcome: CallOutcome, now: Int64) {
        advance(now: now)
        switch state {
        case .disabled, .forcedOpen:
            return
        case .open, .metricsOnly:
            window.record(outcome, now: now)
        case .closed:
            window.record(outcome, now: now)
            if let cause = thresholdExceeded(now: now) {
                toOpen(now: now, cause: cause)
            }
        case .halfOpen:
            window.record(outcome, now: now)
            let totals = window.totals(now: now)
            guard totals.calls >= window.minimumCalls else { return }
            if let cause = thresholdExceeded(now: now) {
                toOpen(now: now, cause: cause)
            } else {
                toClosed(now: now, cause: .trialsPassed)
            }
        }
    }

    /// The threshold the window's rates reached, failures first; nil below the
    /// thresholds or while the window holds fewer calls than its minimum.
    func thresholdExceeded(now: Int64) -> BreakerTransition.Cause? {
        let rates = WindowRates(window.totals(now: now), minimumCalls: window.minimumCalls)
        if rates.failureRate >= 0 && rates.failureRate >= config.failureRateThreshold { return .failureRate }
        if rates.slowCallRate >= 0 && rates.slowCallRate >= config.slowCallRateThreshold { return .slowCallRate }
        return nil
    }
}
