import Platform

/// The knobs of a circuit breaker, named and defined as in Resilience4j.
///
/// The defaults are chosen for batch traffic rather than copied from Resilience4j
/// (whose defaults suit request/response services with hundreds of calls a second):
///
/// - A dispatch is only "start the child process", so it is short and rare next to
///   web traffic. A count-based window of **20** calls remembers a worker's recent
///   dispatches without depending on how busy the fleet is; a time-based window
///   would often hold too few calls to judge.
/// - **5** calls at least before any judgement, so one refused connection during a
///   worker restart does not open the breaker on its own.
/// - **50 %** failures open it: a worker that fails every other dispatch is sick,
///   and the dispatcher has other instances to move to.
/// - Slow calls: **100 %** of calls slower than **10 s**. Starting a child takes
///   milliseconds; a worker that needs seconds to answer is swapping, stuck or
///   overloaded, so calls that slow count as sick only when all of them are.
/// - Wait **30 s** in open: long enough for a restarting worker to come back, short
///   enough that a recovered worker is not idle for long.
/// - **3** trial calls in half-open: a single lucky success does not close it.
/// - The open → half-open step is automatic (the gateway calls `advance(now:)` at
///   `nextTimerDeadline`), so `batchtop` shows when a worker may be probed.
/// - No limit on the time spent half-open (`.zero`): every dispatch ends with an
///   answer or a timeout, so trial permits always come back, and sparse batch
///   traffic would otherwise bounce half-open → open without ever probing.
public struct CircuitBreakerConfig: Sendable, Hashable {
    /// How the closed state's sliding window is measured.
    public enum SlidingWindowType: String, Sendable, Hashable, CaseIterable {
        /// The last `slidingWindowSize` calls.
        case countBased = "count_based"
        /// The calls of the last `slidingWindowSize` seconds, in one-second buckets.
        case timeBased = "time_based"
    }

    /// Percent (0–100] of failed calls at which the breaker opens.
    public var failureRateThreshold: Double
    /// Percent (0–100] of slow calls at which the breaker opens.
    public var slowCallRateThreshold: Double
    /// A call that lasts longer than this is slow.
    public var slowCallDurationThreshold: Duration
    public var slidingWindowType: SlidingWindowType
    /// Calls (count-based) or seconds (time-based) in the sliding window.
    public var slidingWindowSize: Int
    /// Calls the window must hold before rates are computed and can open the breaker.
    /// For a count-based window, a minimum above the window size acts as the window size.
    public var minimumNumberOfCalls: Int
    /// How long an open breaker refuses calls before it lets trial calls through.
    public var waitDurationInOpenState: Duration
    /// Trial calls permitted in the half-open state; their outcomes alone decide.
    public var permittedNumberOfCallsInHalfOpenState: Int
    /// Whether the open → half-open step happens at its deadline (when the caller
    /// calls `advance(now:)`), or only when the next call asks for permission.
    public var automaticTransitionFromOpenToHalfOpenEnabled: Bool
    /// The longest a breaker stays half-open before it opens again; `.zero` waits
    /// until all trial calls have ended.
    public var maxWaitDurationInHalfOpenState: Duration

    public init(
        failureRateThreshold: Double = 50,
        slowCallRateThreshold: Double = 100,
        slowCallDurationThreshold: Duration = .seconds(10),
        slidingWindowType: SlidingWindowType = .countBased,
        slidingWindowSize: Int = 20,
        minimumNumberOfCalls: Int = 5,
        waitDurationInOpenState: Duration = .seconds(30),
        permittedNumberOfCallsInHalfOpenState: Int = 3,
        automaticTransitionFromOpenToHalfOpenEnabled: Bool = true,
        maxWaitDurationInHalfOpenState: Duration = .zero
    ) {
        self.failureRateThreshold = failureRateThreshold
        self.slowCallRateThreshold = slowCallRateThreshold
        self.slowCallDurationThreshold = slowCallDurationThreshold
        self.slidingWindowType = slidingWindowType
        self.slidingWindowSize = slidingWindowSize
        self.minimumNumberOfCalls = minimumNumberOfCalls
        self.waitDurationInOpenState = waitDurationInOpenState
        self.permittedNumberOfCallsInHalfOpenState = permittedNumberOfCallsInHalfOpenState
        self.automaticTransitionFromOpenToHalfOpenEnabled = automaticTransitionFromOpenToHalfOpenEnabled
        self.maxWaitDurationInHalfOpenState = maxWaitDurationInHalfOpenState
    }

    /// What is wrong with this configuration, one message per problem, naming the
    /// knob, the value and the accepted range; empty when it is usable. The config
    /// loader wraps these into its own error; `CircuitBreaker.init` requires none.
    public func validationProblems() -> [String] {
        var problems: [String] = []
        func percent(_ name: String, _ value: Double) {
            if !(value > 0 && value <= 100) {
                problems.append("\(name) is \(value), but it must be a percentage above 0 and at most 100")
            }
        }
        percent("failure-rate-threshold", failureRateThreshold)
        percent("slow-call-rate-threshold", slowCallRateThreshold)
        if slowCallDurationThreshold.inMilliseconds < 1 {
            problems.append("slow-call-duration-threshold is \(slowCallDurationThreshold), but it must be at least 1 ms")
        }
        if slidingWindowSize < 1 {
            problems.append("sliding-window-size is \(slidingWindowSize), but it must be at least 1 (calls or seconds)")
        }
        if slidingWindowType == .timeBased && slidingWindowSize > 86_400 {
            problems.append("sliding-window-size is \(slidingWindowSize) seconds, but a time-based window can span at most 86400 (one day)")
        }
        if slidingWindowType == .countBased && slidingWindowSize > 100_000 {
            problems.append("sliding-window-size is \(slidingWindowSize) calls, but a count-based window holds at most 100000")
        }
        if minimumNumberOfCalls < 1 {
            problems.append("minimum-number-of-calls is \(minimumNumberOfCalls), but it must be at least 1")
        }
        if waitDurationInOpenState.inMilliseconds < 1 {
            problems.append("wait-duration-in-open-state is \(waitDurationInOpenState), but it must be at least 1 ms")
        }
        if permittedNumberOfCallsInHalfOpenState < 1 {
            problems.append("permitted-number-of-calls-in-half-open-state is \(permittedNumberOfCallsInHalfOpenState), but it must be at least 1")
        }
        if maxWaitDurationInHalfOpenState < .zero {
            problems.append("max-wait-duration-in-half-open-state is \(maxWaitDurationInHalfOpenState), but it must be 0 (wait for all trial calls) or more")
        }
        return problems
    }
}
