import Testing
@testable import Resilience

struct BreakerOperatorTests {
    static let config = CircuitBreakerConfig(slidingWindowSize: 10, minimumNumberOfCalls: 5,
                                             waitDurationInOpenState: .seconds(30))

    @Test func forcedOpenRefusesEveryCallAndRecordsNothing() {
        var breaker = CircuitBreaker(config: Self.config)
        breaker.run([.ok(), .fail()])
        breaker.transition(to: .forcedOpen, now: 100)
        let transitions1 = breaker.takeTransitions()
        #expect(transitions1 == [BreakerTransition(from: .closed, to: .forcedOpen, at: 100, cause: .operator)])
        for t in [Int64(100), 31_000, 10_000_000] {
            breaker.advance(now: t)
            let permitted2 = breaker.tryAcquirePermission(now: t)
            #expect(permitted2 == false)
        }
        breaker.onError(duration: .milliseconds(1), now: 200)
        let m = breaker.metrics(now: 10_000_000)
        #expect(m.state == .forcedOpen)
        #expect(m.calls == 0 && m.notPermittedCalls == 3)
        #expect(m.openedAt == 100 && m.nextProbeAt == nil)
        #expect(breaker.nextTimerDeadline == nil)
    }

    @Test func operatorClosesAForcedOpenBreaker() {
        var breaker = CircuitBreaker(config: Self.config)
        breaker.transition(to: .forcedOpen, now: 0)
        breaker.transition(to: .closed, now: 5)
        #expect(breaker.state == .closed)
        let permitted3 = breaker.tryAcquirePermission(now: 6)
        #expect(permitted3)
        let transitions4 = breaker.takeTransitions()
        #expect(transitions4.map(\.to) == [.forcedOpen, .closed])
    }

    @Test func disabledBreakerPermitsEverythingAndNeverOpens() {
        var breaker = CircuitBreaker(config: Self.config)
        breaker.transition(to: .disabled, now: 0)
        breaker.run(.times(50, .fail()), from: 1)
        #expect(breaker.state == .disabled)
        let permitted5 = breaker.tryAcquirePermission(now: 100)
        #expect(permitted5)
        #expect(breaker.metrics(now: 100).calls == 0)
        let transitions6 = breaker.takeTransitions()
        #expect(transitions6.count == 1)
    }

    @Test func metricsOnlyBreakerRecordsButNeverOpens() {
        var breaker = CircuitBreaker(config: Self.config)
        breaker.transition(to: .metricsOnly, now: 0)
        breaker.run(.times(10, .fail()), from: 1)
        let m = breaker.metrics(now: 100)
        #expect(m.state == .metricsOnly)
        #expect(m.calls == 10 && m.failureRate == 100)
        let permitted7 = breaker.tryAcquirePermission(now: 100)
        #expect(permitted7)
    }

    @Test func resetClosesAndForgetsEverything() {
        var breaker = CircuitBreaker(config: Self.config)
        breaker.run(.times(5, .fail()))
        #expect(breaker.state == .open)
        _ = breaker.tryAcquirePermission(now: 10)
        breaker.transition(to: .reset, now: 20)
        let m = breaker.metrics(now: 20)
        #expect(m.state == .closed)
        #expect(m.calls == 0 && m.notPermittedCalls == 0 && m.openedAt == nil)
        let transitions8 = breaker.takeTransitions()
        #expect(transitions8.last == BreakerTransition(from: .open, to: .closed, at: 20, cause: .operator))
    }

    @Test func resetOfAClosedBreakerEmptiesItsWindowWithoutATransition() {
        var breaker = CircuitBreaker(config: Self.config)
        breaker.run(.times(4, .fail()))
        breaker.transition(to: .reset, now: 10)
        breaker.run([.fail()], from: 11)
        #expect(breaker.state == .closed)
        #expect(breaker.metrics(now: 12).calls == 1)
        let transitions9 = breaker.takeTransitions()
        #expect(transitions9.isEmpty)
    }

    @Test(arguments: BreakerOperation.allCases)
    func repeatingAnOperatorRequestChangesNothing(_ op: BreakerOperation) {
        var breaker = CircuitBreaker(config: Self.config)
        breaker.transition(to: op, now: 0)
        let first = breaker.takeTransitions()
        let state = breaker.state
        breaker.transition(to: op, now: 1)
        #expect(breaker.state == state)
        let transitions10 = breaker.takeTransitions()
        #expect(transitions10.isEmpty)
        // From closed, only the operations naming another state move it.
        #expect(first.count == ((op == .closed || op == .reset) ? 0 : 1))
    }

    @Test func operatorOpenProbesAgainAfterTheWait() {
        var breaker = CircuitBreaker(config: Self.config)
        breaker.transition(to: .open, now: 1000)
        #expect(breaker.nextProbeAt == 31_000)
        let permitted11 = breaker.tryAcquirePermission(now: 30_999)
        #expect(permitted11 == false)
        let permitted12 = breaker.tryAcquirePermission(now: 31_000)
        #expect(permitted12)
        #expect(breaker.state == .halfOpen)
    }

    @Test func untakenTransitionsAreBoundedAndCounted() {
        var breaker = CircuitBreaker(config: Self.config)
        for i in 0..<100 {
            breaker.transition(to: i.isMultiple(of: 2) ? .forcedOpen : .closed, now: Int64(i))
        }
        let taken = breaker.takeTransitions()
        #expect(taken.count == CircuitBreaker.pendingLimit)
        #expect(taken.last?.at == 99)
        #expect(breaker.droppedTransitions == 100 - CircuitBreaker.pendingLimit)
        let transitions13 = breaker.takeTransitions()
        #expect(transitions13.isEmpty)
    }
}
