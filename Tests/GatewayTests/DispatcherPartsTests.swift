import BatchCore
@testable import Store
import Testing
@testable import Gateway

/// A worker's share of a claim is cut into calls that stay well under a worker's body limit.
struct DispatcherPartsTests {
    func pending(_ i: Int, paramBytes: Int) -> Dispatcher.Pending {
        let params = paramBytes == 0 ? [:] : ["blob": String(repeating: "x", count: paramBytes)]
        let c = ClaimedExecution(id: ExecutionID.make(), job: "report", attempt: 1, params: params, timeoutSeconds: 60, maxAttempts: 1,
                                 runs: 0, priority: 5, dispatchFailures: 0, queueWaitMillis: 0)
        return Dispatcher.Pending(order: i, claimed: c, item: WorkerDispatchItem(jobType: c.job, WorkerDispatchRequest(
            executionId: c.id, attempt: 1, params: params, timeoutSeconds: 60, leaseMs: 30_000)))
    }

    @Test func smallExecutionsGoInOneCall() {
        let share = (0..<64).map { pending($0, paramBytes: 0) }
        #expect(Dispatcher.parts(of: share).map(\.count) == [64])
    }

    @Test func heavyExecutionsAreSplitAndEveryCallStaysUnderTheBound() {
        let share = (0..<64).map { pending($0, paramBytes: 20_000) }
        let parts = Dispatcher.parts(of: share)
        #expect(parts.count > 1)
        #expect(parts.flatMap { $0 }.map(\.order) == Array(0..<64))
        for part in parts {
            #expect(WorkerDispatchBatch(dispatches: part.map(\.item)).json.count <= Dispatcher.maxCallBytes)
        }
        // One execution heavier than the bound still goes, alone.
        #expect(Dispatcher.parts(of: [pending(0, paramBytes: 300_000)]).map(\.count) == [1])
    }
}
