import BatchCore
import Redis
@testable import Store
import Testing
import TestSupport

@Suite struct EndedCountsTests {
    /// Runs one execution to its end through the store's own transitions.
    private func run(_ f: StoreFixture, to end: AttemptEnd) throws -> String {
        let id = try f.store.create(NewExecution(job: "report", params: [:]), queueLimit: 0).id
        let c = try #require(try f.store.claim(allowed: ["report": 0], leaseMillis: 10_000, gateway: "g1"))
        _ = try f.store.start(id: c.id, attempt: c.attempt, worker: "w1", leaseMillis: 10_000)
        _ = try f.store.finish(id: id, attempt: c.attempt, worker: "w1", end: end)
        return id
    }

    @Test func countsEndsPerTerminalStateAfterTheGivenInstant() throws {
        let f = try StoreFixture()
        let before = try f.nowMs() - 1
        _ = try run(f, to: AttemptEnd(outcome: .succeeded, exitCode: 0))
        _ = try run(f, to: AttemptEnd(outcome: .succeeded, exitCode: 0))
        _ = try run(f, to: AttemptEnd(outcome: .failed, reason: .exitCode, exitCode: 3))
        _ = try f.store.create(NewExecution(job: "report", params: [:]), queueLimit: 0)  // still queued: not counted
        let counts = try f.store.endedCounts(since: before)
        #expect(counts[.succeeded] == 2)
        #expect(counts[.failed] == 1)
        #expect(counts[.timedOut] == 0)
        #expect(counts[.cancelled] == 0)
        #expect(counts[.queued] == nil)
    }

    @Test func endsBeforeTheWindowAreLeftOut() throws {
        let f = try StoreFixture()
        _ = try run(f, to: AttemptEnd(outcome: .succeeded, exitCode: 0))
        let after = try f.nowMs() + 1
        #expect(try f.store.endedCounts(since: after).values.reduce(0, +) == 0)
    }
}
