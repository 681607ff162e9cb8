import BatchCore
import Redis
@testable import Store
import Testing
import TestSupport

/// An operator's cancel in every state, and what the worker hears of it.
@Suite(.blocking) struct CancelTests {
    @Test(arguments: [ExecutionState.queued, .retrying, .dispatched, .running, .cancelling, .succeeded, .failed, .timedOut, .cancelled])
    func cancelInEveryState(_ state: ExecutionState) throws {
        let f = try StoreFixture()
        let id = try f.seed(state: state, leaseMs: state.isLeased ? 10_000 : nil, dueMs: 60_000)
        let r = try f.store.cancel(id: id, user: "ops", source: "test")
        let expected: ExecutionState = switch state {
        case .queued, .retrying: .cancelled
        case .dispatched, .running, .cancelling: .cancelling
        default: state
        }
        #expect(r.state == expected)
        #expect(try f.state(id) == expected)
        #expect(try f.indexedStates(id) == [expected])
        if state == .queued { #expect(try f.queueList().isEmpty) }
        if state == .retrying { #expect(try f.delayed(id) == false) }
        if state == .running { #expect(r.worker == "w1") }
        #expect(try f.send("XLEN", f.keys.audit).int == 1)
        // A second cancel changes nothing.
        #expect(try f.store.cancel(id: id, user: "ops", source: "test").changed == false)
    }

    @Test func cancelOfUnknownIdIsNotFound() throws {
        let f = try StoreFixture()
        #expect(throws: StoreError.notFound("01BBBBBBBBBBBBBBBBBBBBBBBB")) {
            try f.store.cancel(id: "01BBBBBBBBBBBBBBBBBBBBBBBB", user: "u", source: "t")
        }
    }

    @Test func renewTellsTheWorkerAboutACancel() throws {
        let f = try StoreFixture()
        let id = try f.seed(state: .running)
        _ = try f.store.cancel(id: id, user: "ops", source: "test")
        #expect(try f.store.renew(worker: "w1", attempts: [(id, 1)], leaseMillis: 10_000) == [.cancelling])
        #expect(try f.store.finish(id: id, attempt: 1, worker: "w1", end: AttemptEnd(outcome: .cancelled, reason: .signal, signal: 15)) == .cancelled)
        #expect(try f.running() == 0)
    }
}
