import Foundation
import Synchronization
import Testing
@testable import TestSupport

/// The `.blocking` trait of TestSupport: blocking tests leave Swift's cooperative pool alone.
struct BlockingTestTraitTests {
    @Test(.blocking) func aBlockingTestRunsOnAThreadOfItsOwn() {
        #expect(isOnBlockingTestThread())
    }

    @Test func aTestWithoutTheTraitRunsOnTheCooperativePool() {
        #expect(!isOnBlockingTestThread())
    }

    @Test(.blocking, arguments: [1, 2])
    func eachCaseOfAParameterizedBlockingTestRunsOnAThreadOfItsOwn(_ n: Int) {
        #expect(isOnBlockingTestThread(), "case \(n)")
    }

    @Test func theGateAdmitsOnlyItsWidthAndLetsTheNextInWhenOneLeaves() async throws {
        let gate = BlockingGate(width: 1)
        await gate.enter()
        let entered = Atomic<Bool>(false)
        let second = Task {
            await gate.enter()
            entered.store(true, ordering: .sequentiallyConsistent)
            gate.leave()
        }
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(60)
        while gate.waitingCount == 0 && clock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(gate.waitingCount == 1)
        let enteredEarly = entered.load(ordering: .sequentiallyConsistent)
        #expect(!enteredEarly)
        gate.leave()
        await second.value
        let enteredLater = entered.load(ordering: .sequentiallyConsistent)
        #expect(enteredLater)
        #expect(gate.waitingCount == 0)
    }

    @Test func anExclusiveWaiterTakesEverySlotAndIsNotOvertakenByLaterOnes() async throws {
        let gate = BlockingGate(width: 2)
        await gate.enter()
        let order = OrderLog()
        let exclusive = Task {
            await gate.enter(slots: 2)
            order.append("exclusive")
            gate.leave(slots: 2)
        }
        try await waitForWaiters(gate, 1)
        let later = Task {
            await gate.enter()
            order.append("later")
            gate.leave()
        }
        try await waitForWaiters(gate, 2)
        // One slot is free, but the exclusive test came first and needs both.
        let early = order.entries
        #expect(early.isEmpty)
        gate.leave()
        await exclusive.value
        await later.value
        let final = order.entries
        #expect(final == ["exclusive", "later"])
    }

    private func waitForWaiters(_ gate: BlockingGate, _ count: Int) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(60)
        while gate.waitingCount < count && clock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(gate.waitingCount == count)
    }
}

/// What the gate's waiters did, in order; shared with their tasks.
private final class OrderLog: Sendable {
    private let list = Mutex<[String]>([])
    func append(_ entry: String) { list.withLock { $0.append(entry) } }
    var entries: [String] { list.withLock { $0 } }
}
