@testable import Gateway
import Testing

/// When a dispatcher is woken: for new work always, for a freed slot only while work may wait.
@Suite struct WakeupTests {
    @Test func aSignalIsKeptUntilTakenAndBurstsCoalesce() {
        let w = Wakeup()
        w.signal()
        w.signal()
        #expect(w.wait(timeout: .seconds(10)))
        // Two signals with nobody waiting are one wake-up.
        #expect(!w.wait(timeout: .milliseconds(1)))
    }

    @Test func aFreedSlotWakesNobodyAfterAClaimLeftTheQueuesEmpty() {
        let w = Wakeup()
        w.claimed(queueEmpty: true)
        w.capacityFreed()
        #expect(!w.wait(timeout: .milliseconds(1)))
        // Something queued since: a freed slot wakes again.
        w.signal()
        #expect(w.wait(timeout: .seconds(10)))
        w.capacityFreed()
        #expect(w.wait(timeout: .seconds(10)))
    }

    @Test func aFreedSlotWakesWhileTheLastClaimLeftWorkBehind() {
        let w = Wakeup()
        w.capacityFreed()  // nothing known yet: work may wait
        #expect(w.wait(timeout: .seconds(10)))
        w.claimed(queueEmpty: false)
        w.capacityFreed()
        #expect(w.wait(timeout: .seconds(10)))
    }

    @Test func onlyTheCreatedEventOfAnExecutionCreatedHereIsKnown() {
        let w = Wakeup()
        w.creating("a")
        w.creating("b")
        w.notCreated("b")  // a duplicate or a failed write
        #expect(w.createdEventSeen("a"))
        #expect(!w.createdEventSeen("a"))
        #expect(!w.createdEventSeen("b"))
    }
}
