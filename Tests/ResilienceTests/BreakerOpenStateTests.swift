import Testing
@testable import Resilience

struct BreakerOpenStateTests {
    /// A breaker opened by five failures at t = 1000…1004 (so `openedAt` is 1004).
    static func opened(automatic: Bool, halfOpenCalls: Int = 3, maxHalfOpen: Duration = .zero) -> CircuitBreaker {
        var b = CircuitBreaker(config: CircuitBreakerConfig(
            slidingWindowSize: 10, minimumNumberOfCalls: 5, waitDurationInOpenState: .seconds(30),
            permittedNumberOfCallsInHalfOpenState: halfOpenCalls,
            automaticTransitionFromOpenToHalfOpenEnabled: automatic,
            maxWaitDurationInHalfOpenState: maxHalfOpen))
        b.run(.times(5, .fail()), from: 1000)
        precondition(b.state == .open)
        _ = b.takeTransitions()
        return b
    }

    @Test(arguments: [Int64(1004), 1005, 20_000, 31_003])
    func openBreakerRefusesBeforeTheWaitHasPassed(now: Int64) {
        var breaker = Self.opened(automatic: false)
        let permitted1 = breaker.tryAcquirePermission(now: now)
        #expect(permitted1 == false)
        #expect(breaker.state == .open)
        #expect(breaker.metrics(now: now).notPermittedCalls == 1)
    }

    @Test func openBreakerTurnsHalfOpenOnTheFirstCallAfterTheWait() {
        var breaker = Self.opened(automatic: false)
        #expect(breaker.nextProbeAt == 31_004)
        #expect(breaker.nextTimerDeadline == nil)
        // Without automatic transition, time alone changes nothing.
        breaker.advance(now: 40_000)
        #expect(breaker.state == .open)
        let permitted2 = breaker.tryAcquirePermission(now: 40_000)
        #expect(permitted2)
        #expect(breaker.state == .halfOpen)
        let transitions3 = breaker.takeTransitions()
        #expect(transitions3 == [BreakerTransition(from: .open, to: .halfOpen, at: 40_000, cause: .waitElapsed)])
        #expect(breaker.metrics(now: 40_000).halfOpenPermitsLeft == 2)
    }

    @Test func automaticTransitionHappensAtTheTimerDeadline() {
        var breaker = Self.opened(automatic: true)
        #expect(breaker.nextTimerDeadline == 31_004)
        breaker.advance(now: 31_003)
        #expect(breaker.state == .open)
        breaker.advance(now: 31_004)
        #expect(breaker.state == .halfOpen)
        let transitions4 = breaker.takeTransitions()
        #expect(transitions4.map(\.to) == [.halfOpen])
        #expect(breaker.nextTimerDeadline == nil)
    }

    @Test func openBreakerKeepsTheWindowThatTrippedIt() {
        let breaker = Self.opened(automatic: false)
        let m = breaker.metrics(now: 2000)
        #expect(m.state == .open)
        #expect(m.calls == 5 && m.failedCalls == 5)
        #expect(m.failureRate == 100)
        #expect(m.openedAt == 1004)
        #expect(m.nextProbeAt == 31_004)
    }

    @Test func callsEndingWhileOpenAreRecordedButChangeNothing() {
        var breaker = Self.opened(automatic: false)
        breaker.onSuccess(duration: .milliseconds(5), now: 2000)
        #expect(breaker.state == .open)
        #expect(breaker.metrics(now: 2000).calls == 6)
        let transitions5 = breaker.takeTransitions()
        #expect(transitions5.isEmpty)
    }
}
