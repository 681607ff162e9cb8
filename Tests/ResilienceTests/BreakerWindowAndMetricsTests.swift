import Foundation
import Testing
@testable import Resilience

struct BreakerWindowAndMetricsTests {
    static let timeBased = CircuitBreakerConfig(failureRateThreshold: 50, slidingWindowType: .timeBased,
                                                slidingWindowSize: 10, minimumNumberOfCalls: 5)

    /// Four failures at t = 0…3 ms, then one more at `lastAt`.
    @Test(arguments: [(Int64(9_999), BreakerState.open), (9_000, .open), (10_000, .closed), (25_000, .closed)])
    func timeBasedWindowForgetsCallsOlderThanItsSpan(lastAt: Int64, expected: BreakerState) {
        var breaker = CircuitBreaker(config: Self.timeBased)
        breaker.run(.times(4, .fail()), from: 0)
        breaker.run([.fail()], from: lastAt)
        #expect(breaker.state == expected)
    }

    @Test func timeBasedMetricsDropOldBucketsAsTimePasses() {
        var breaker = CircuitBreaker(config: Self.timeBased)
        breaker.run(.times(3, .ok()), from: 0)        // second 0
        breaker.run(.times(2, .fail()), from: 4_500)  // second 4
        #expect(breaker.metrics(now: 9_999).calls == 5)
        #expect(breaker.metrics(now: 9_999).failureRate == 40)
        #expect(breaker.metrics(now: 10_000).calls == 2)
        #expect(breaker.metrics(now: 10_000).failureRate == -1)
        #expect(breaker.metrics(now: 14_000).calls == 0)
    }

    @Test func timeBasedWindowReusesBucketsAfterWrappingAround() {
        var breaker = CircuitBreaker(config: Self.timeBased)
        breaker.run(.times(4, .fail()), from: 3_000)   // second 3
        breaker.run(.times(4, .ok()), from: 13_000)    // second 13: same slot, the failures are gone
        let m = breaker.metrics(now: 13_500)
        #expect(m.calls == 4 && m.failedCalls == 0)
        #expect(breaker.state == .closed)
    }

    @Test func timeBasedWindowHandlesInstantsBeforeTheClockOrigin() {
        var breaker = CircuitBreaker(config: Self.timeBased)
        breaker.run(.times(2, .fail()), from: -1_500)  // second -2, not -1: buckets round down
        #expect(breaker.metrics(now: 0).calls == 2)
        #expect(breaker.metrics(now: 7_999).calls == 2)
        #expect(breaker.metrics(now: 8_000).calls == 0)
    }

    @Test func metricsCountEveryKindOfCall() {
        var breaker = CircuitBreaker(config: CircuitBreakerConfig(
            failureRateThreshold: 90, slowCallRateThreshold: 90, slowCallDurationThreshold: .seconds(1),
            slidingWindowSize: 10, minimumNumberOfCalls: 8))
        breaker.run([.ok(), .ok(), .ok(ms: 2_000), .fail(), .fail(ms: 2_000), .ignored, .ok(), .ok()])
        var m = breaker.metrics(now: 10)
        #expect(m.calls == 7)
        #expect(m.failedCalls == 2 && m.slowCalls == 2 && m.slowFailedCalls == 1 && m.successfulCalls == 5)
        #expect(m.failureRate == -1 && m.slowCallRate == -1)
        breaker.run([.ok()], from: 10)
        m = breaker.metrics(now: 20)
        #expect(m.calls == 8)
        #expect(m.failureRate == 25 && m.slowCallRate == 25)
        #expect(m.state == .closed && m.notPermittedCalls == 0 && m.halfOpenPermitsLeft == 0)
    }

    @Test func countWindowKeepsOnlyTheLastCalls() {
        var breaker = CircuitBreaker(config: CircuitBreakerConfig(slidingWindowSize: 4, minimumNumberOfCalls: 4))
        breaker.run([.fail(), .ok(), .ok(), .ok(), .ok(), .ok()])
        let m = breaker.metrics(now: 100)
        #expect(m.calls == 4 && m.failedCalls == 0 && m.failureRate == 0)
    }

    @Test func metricsRebaseOntoTheWallClockAndRoundTripAsJSON() throws {
        var breaker = CircuitBreaker(config: CircuitBreakerConfig(slidingWindowSize: 5, minimumNumberOfCalls: 5,
                                                                  waitDurationInOpenState: .seconds(30)))
        breaker.run(.times(5, .fail()), from: 1_000)
        let m = breaker.metrics(now: 2_000).rebased(from: 2_000, to: 1_764_000_000_000)
        #expect(m.openedAt == 1_763_999_999_004)
        #expect(m.nextProbeAt == 1_764_000_029_004)
        let json = try JSONEncoder().encode(m)
        #expect(try JSONDecoder().decode(BreakerMetrics.self, from: json) == m)
        #expect(String(decoding: json, as: UTF8.self).contains("\"state\":\"open\""))
    }
}
