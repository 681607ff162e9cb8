import Testing
@testable import Resilience

struct BreakerClosedStateTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var config: CircuitBreakerConfig
        var steps: [BreakerStep]
        var expected: BreakerState
        var cause: BreakerTransition.Cause?
        var testDescription: String { name }
    }

    static let base = CircuitBreakerConfig(failureRateThreshold: 50, slidingWindowSize: 10, minimumNumberOfCalls: 5)

    static let failureCases: [Case] = [
        Case(name: "four failures stay below the minimum of five", config: base,
             steps: .times(4, .fail()), expected: .closed),
        Case(name: "the fifth failure opens it", config: base,
             steps: .times(5, .fail()), expected: .open, cause: .failureRate),
        Case(name: "two failures in five calls is 40 %, below 50 %", config: base,
             steps: [.ok(), .ok(), .ok(), .fail(), .fail()], expected: .closed),
        Case(name: "three failures in six calls reaches 50 % exactly", config: base,
             steps: [.ok(), .ok(), .ok(), .fail(), .fail(), .fail()], expected: .open, cause: .failureRate),
        Case(name: "a minimum above a count window acts as the window size",
             config: CircuitBreakerConfig(slidingWindowSize: 3, minimumNumberOfCalls: 10),
             steps: .times(3, .fail()), expected: .open, cause: .failureRate),
        Case(name: "old failures leave a full count window",
             config: CircuitBreakerConfig(failureRateThreshold: 50, slidingWindowSize: 4, minimumNumberOfCalls: 4),
             steps: [.fail(), .ok(), .ok(), .ok(), .ok(), .fail()], expected: .closed),
        Case(name: "a threshold of 100 % needs every call to fail",
             config: CircuitBreakerConfig(failureRateThreshold: 100, slidingWindowSize: 5, minimumNumberOfCalls: 5),
             steps: [.fail(), .fail(), .fail(), .fail(), .ok()], expected: .closed),
        Case(name: "ignored calls never reach the minimum", config: base,
             steps: .times(20, .ignored), expected: .closed),
        Case(name: "ignored calls do not dilute failures", config: base,
             steps: [.fail(), .ignored, .fail(), .ignored, .fail(), .ignored, .fail(), .fail()],
             expected: .open, cause: .failureRate),
    ]

    @Test(arguments: failureCases)
    func failureRateOpensOnlyAfterMinimumCalls(_ c: Case) {
        var breaker = CircuitBreaker(config: c.config)
        let end = breaker.run(c.steps)
        #expect(breaker.state == c.expected)
        let transitions = breaker.takeTransitions()
        if let cause = c.cause {
            #expect(transitions == [BreakerTransition(from: .closed, to: .open, at: end - 1, cause: cause)])
        } else {
            #expect(transitions.isEmpty)
        }
    }

    static let slow = CircuitBreakerConfig(slowCallRateThreshold: 100, slowCallDurationThreshold: .seconds(10),
                                           slidingWindowSize: 10, minimumNumberOfCalls: 5)

    static let slowCases: [Case] = [
        Case(name: "five slow successes open it at 100 %", config: slow,
             steps: .times(5, .ok(ms: 10_001)), expected: .open, cause: .slowCallRate),
        Case(name: "one fast call among five keeps it closed", config: slow,
             steps: .times(4, .ok(ms: 10_001)) + [.ok(ms: 5)], expected: .closed),
        Case(name: "a call of exactly the threshold is not slow", config: slow,
             steps: .times(5, .ok(ms: 10_000)), expected: .closed),
        Case(name: "slow failures count toward both rates, failures first", config: slow,
             steps: .times(5, .fail(ms: 20_000)), expected: .open, cause: .failureRate),
        Case(name: "a lower slow threshold trips on three slow calls in five",
             config: CircuitBreakerConfig(slowCallRateThreshold: 60, slowCallDurationThreshold: .seconds(1),
                                          slidingWindowSize: 10, minimumNumberOfCalls: 5),
             steps: [.ok(ms: 1500), .ok(), .ok(ms: 1500), .ok(), .ok(ms: 1500)],
             expected: .open, cause: .slowCallRate),
    ]

    @Test(arguments: slowCases)
    func slowCallsOpenBySlowCallRate(_ c: Case) {
        var breaker = CircuitBreaker(config: c.config)
        breaker.run(c.steps)
        #expect(breaker.state == c.expected)
        let transitions1 = breaker.takeTransitions()
        #expect(transitions1.map(\.cause) == (c.cause.map { [$0] } ?? []))
    }

    @Test func closedBreakerPermitsEveryCall() {
        var breaker = CircuitBreaker()
        for t in Int64(0)..<100 {
            let permitted2 = breaker.tryAcquirePermission(now: t)
            #expect(permitted2)
        }
        #expect(breaker.metrics(now: 100).notPermittedCalls == 0)
        #expect(breaker.nextTimerDeadline == nil)
    }
}
