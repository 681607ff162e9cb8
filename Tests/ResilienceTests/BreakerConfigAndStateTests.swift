import Testing
@testable import Resilience

struct BreakerConfigAndStateTests {
    @Test func defaultsSuitBatchTrafficAndAreValid() {
        let c = CircuitBreakerConfig()
        #expect(c.validationProblems().isEmpty)
        #expect(c.slidingWindowType == .countBased && c.slidingWindowSize == 20 && c.minimumNumberOfCalls == 5)
        #expect(c.failureRateThreshold == 50 && c.slowCallRateThreshold == 100)
        #expect(c.slowCallDurationThreshold == .seconds(10) && c.waitDurationInOpenState == .seconds(30))
        #expect(c.permittedNumberOfCallsInHalfOpenState == 3)
    }

    struct Bad: Sendable, CustomTestStringConvertible {
        var config: CircuitBreakerConfig
        var mentions: String
        var testDescription: String { mentions }
    }

    static let bad: [Bad] = [
        Bad(config: .init(failureRateThreshold: 0), mentions: "failure-rate-threshold"),
        Bad(config: .init(failureRateThreshold: 101), mentions: "failure-rate-threshold"),
        Bad(config: .init(failureRateThreshold: .nan), mentions: "failure-rate-threshold"),
        Bad(config: .init(slowCallRateThreshold: -5), mentions: "slow-call-rate-threshold"),
        Bad(config: .init(slowCallDurationThreshold: .zero), mentions: "slow-call-duration-threshold"),
        Bad(config: .init(slidingWindowSize: 0), mentions: "sliding-window-size"),
        Bad(config: .init(slidingWindowType: .timeBased, slidingWindowSize: 100_000), mentions: "time-based"),
        Bad(config: .init(minimumNumberOfCalls: 0), mentions: "minimum-number-of-calls"),
        Bad(config: .init(waitDurationInOpenState: .microseconds(10)), mentions: "wait-duration-in-open-state"),
        Bad(config: .init(permittedNumberOfCallsInHalfOpenState: 0), mentions: "permitted-number-of-calls"),
        Bad(config: .init(maxWaitDurationInHalfOpenState: .seconds(-1)), mentions: "max-wait-duration"),
    ]

    @Test(arguments: bad)
    func invalidConfigNamesTheKnob(_ b: Bad) {
        let problems = b.config.validationProblems()
        #expect(problems.count == 1)
        #expect(problems.first?.contains(b.mentions) == true, "\(problems)")
    }

    @Test(arguments: BreakerState.allCases)
    func stateNamesRoundTrip(_ s: BreakerState) {
        #expect(BreakerState(rawValue: s.rawValue) == s)
        #expect(BreakerState(name: s.rawValue.uppercased()) == s)
        #expect(BreakerState(name: s.rawValue.replacingOccurrences(of: "_", with: "-")) == s)
    }

    @Test func publishedNamesAreTheDesignedOnes() {
        #expect(BreakerState.allCases.map(\.rawValue) == ["closed", "open", "half_open", "forced_open", "disabled", "metrics_only"])
        #expect(BreakerState.allCases.map(\.gaugeValue) == [0, 1, 2, 3, 4, 5])
        #expect(BreakerState(name: " half-open\t") == .halfOpen)
        #expect(BreakerState(name: "ajar") == nil)
        #expect(BreakerState(name: "") == nil)
    }
}
