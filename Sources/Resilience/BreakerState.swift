import FoundationEssentials
import Platform

/// The states of a circuit breaker, as in Resilience4j.
///
/// The raw values are the names published in Redis (`breakers:<gateway-id>`) and
/// shown by `batchctl breakers` and `batchtop`.
public enum BreakerState: String, Sendable, Hashable, CaseIterable, Codable {
    /// Calls flow; outcomes are recorded and the thresholds are checked.
    case closed
    /// Calls are refused until the wait in the open state has passed.
    case open
    /// A few trial calls decide whether to close again or reopen.
    case halfOpen = "half_open"
    /// An operator holds the breaker open: every call is refused until released.
    case forcedOpen = "forced_open"
    /// An operator switched the breaker off: every call is permitted, nothing is recorded.
    case disabled
    /// Outcomes are recorded and rates computed, but the breaker never opens.
    case metricsOnly = "metrics_only"

    /// Parses a state name leniently: case-insensitive, `-` or `_` between words,
    /// so `HALF_OPEN`, `half-open` and `half_open` all read as `.halfOpen`.
    public init?(name: String) {
        let normalized = name.trimmingWhitespace()
            .lowercased()
            .replacing("-", with: "_")
        self.init(rawValue: normalized)
    }

    /// The value of the `breaker_state` gauge: 0 closed, 1 open, 2 half-open,
    /// 3 forced open, 4 disabled, 5 metrics only (Resilience4j's order).
    public var gaugeValue: Int {
        switch self {
        case .closed: return 0
        case .open: return 1
        case .halfOpen: return 2
        case .forcedOpen: return 3
        case .disabled: return 4
        case .metricsOnly: return 5
        }
    }
}

/// A change of a breaker's state, for the caller to log, count and publish.
public struct BreakerTransition: Sendable, Hashable {
    /// Why the breaker changed state.
    public enum Cause: String, Sendable, Hashable {
        /// The failure rate reached its threshold (in closed or half-open).
        case failureRate = "failure_rate"
        /// The slow-call rate reached its threshold (in closed or half-open).
        case slowCallRate = "slow_call_rate"
        /// The wait in the open state passed.
        case waitElapsed = "wait_elapsed"
        /// The trial calls of the half-open state stayed below the thresholds.
        case trialsPassed = "trials_passed"
        /// The half-open state lasted longer than its maximum wait.
        case halfOpenTimedOut = "half_open_timed_out"
        /// An operator asked for it.
        case `operator`
    }

    public var from: BreakerState
    public var to: BreakerState
    /// The instant of the change, on the caller's monotonic millisecond clock.
    public var at: Int64
    public var cause: Cause

    public init(from: BreakerState, to: BreakerState, at: Int64, cause: Cause) {
        self.from = from
        self.to = to
        self.at = at
        self.cause = cause
    }
}
