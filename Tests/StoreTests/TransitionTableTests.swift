import BatchCore
import Foundation
import Redis
@testable import Store
import Testing
import TestSupport

/// The pure transition table of `ExecutionState.apply` and the Lua scripts must
/// agree on every state × event pair: seed raw state, run the script that
/// implements the event, and compare the state it leaves with the table's.
@Suite(.blocking) struct TransitionTableTests {
    struct Case: CustomStringConvertible, Sendable {
        let state: ExecutionState
        let event: TransitionEvent
        var description: String { "\(state.rawValue) × \(event.rawValue)" }
    }

    static let cases: [Case] = ExecutionState.allCases.flatMap { s in TransitionEvent.allCases.map { Case(state: s, event: $0) } }

    @Test(arguments: cases)
    func luaAgreesWithThePureTable(_ c: Case) throws {
        let f = try StoreFixture("table-\(c.state.rawValue)-\(c.event.rawValue)")
        // Attempts left for the *retryable* events, none for the others.
        let retryable = [.failRetryable, .leaseExpiredRetryable].contains(c.event)
        let runs = c.state == .dispatched ? 0 : 1
        let maxAttempts = retryable ? 3 : 1
        let expired = [.leaseExpired, .leaseExpiredRetryable].contains(c.event)
        let id = try f.seed(state: c.state, runs: runs, maxAttempts: maxAttempts, worker: "w1",
                            leaseMs: c.state.isLeased ? (expired ? -1 : 60_000) : nil, dueMs: -1)
        let before = try #require(try f.state(id))
        let end: (ExecutionState, FailureReason?) -> AttemptEnd = { AttemptEnd(outcome: $0, reason: $1, retryable: retryable) }
        switch c.event {
        case .dispatch: _ = try? f.store.claim(allowed: ["report": 0], leaseMillis: 60_000, gateway: "g")
        case .dispatchFailed: _ = try? f.store.dispatchFailed(id: id, attempt: 1, exhausted: false, backoffMillis: 60_000, error: "x")
        case .start: _ = try? f.store.start(id: id, attempt: 1, worker: "w1", leaseMillis: 60_000)
        case .succeed: _ = try? f.store.finish(id: id, attempt: 1, worker: "w1", end: end(.succeeded, nil))
        case .failRetryable, .fail: _ = try? f.store.finish(id: id, attempt: 1, worker: "w1", end: end(.failed, .exitCode))
        case .timeout: _ = try? f.store.finish(id: id, attempt: 1, worker: "w1", end: end(.timedOut, nil))
        case .promote: _ = try? f.store.promoteDue()
        case .leaseExpired, .leaseExpiredRetryable: _ = try? f.store.recoverExpired(poisonThreshold: 10, backoffMillis: 60_000)
        case .cancel: _ = try? f.store.cancel(id: id, user: "u", source: "t")
        case .cancelled: _ = try? f.store.finish(id: id, attempt: 1, worker: "w1", end: end(.cancelled, nil))
        case .handBack: _ = try? f.store.requeue(id: id, attempt: 1, worker: "w1")
        }
        let after = try #require(try f.state(id))
        let expected: ExecutionState
        switch c.state.apply(c.event) {
        case .moved(let s): expected = s
        case .unchanged, .refused: expected = before
        }
        #expect(after == expected, "\(c): Lua left \(after.rawValue), the table says \(expected.rawValue)")
        #expect(try f.indexedStates(id) == [after])
        if !after.isLeased { #expect(try f.leased(id) == false) }
    }
}
