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
}
