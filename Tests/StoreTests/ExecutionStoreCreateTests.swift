import BatchCore
import Redis
@testable import Store
import Testing
import TestSupport

/// Creating executions: one step, idempotency keys, the queue limit, grouped calls.
@Suite(.blocking) struct ExecutionCreateTests {
    @Test func createWritesRecordQueueIndexesAndEventInOneStep() throws {
        let f = try StoreFixture()
        let r = try f.store.create(NewExecution(job: "report", params: ["date": "2026-11-24"], priority: 7, maxAttempts: 3,
                                                timeoutSeconds: 60, trigger: Trigger(source: "batchctl", user: "ops")), queueLimit: 0)
        #expect(r.state == .queued)
        #expect(r.duplicate == false)
        #expect(try f.state(r.id) == .queued)
        #expect(try f.field(r.id, "params") == #"{"date":"2026-11-24"}"#)
        #expect(try f.field(r.id, "user") == "ops")
        #expect(try f.queueList(7) == [r.id])
        #expect(try f.indexedStates(r.id) == [.queued])
        #expect(try f.send("ZSCORE", f.keys.recent, r.id).isNull == false)
        #expect(try f.send("ZSCORE", f.keys.byJob("report"), r.id).isNull == false)
        #expect(try f.eventCount() == 1)
    }

    @Test func callsAndRoundTripsCountManyCallsWithTheirOperation() throws {
        let f = try StoreFixture()
        func counts() -> [String: (Int, Int)] {
            Dictionary(uniqueKeysWithValues: f.store.groupedCalls.map { ($0.operation, ($0.calls, $0.roundTrips)) })
        }
        _ = try f.store.create(NewExecution(job: "report", params: [:]), queueLimit: 0)
        _ = try f.store.createMany((0..<3).map { _ in NewExecution(job: "report", params: [:]) }, queueLimit: 0)
        let claimed = try f.store.claimMany(allowed: ["report": 0], max: 4, leaseMillis: 10_000, gateway: "g")
        _ = try f.store.startMany(claimed.map { ($0.id, $0.attempt) }, worker: "w", leaseMillis: 10_000)
        _ = try f.store.finishMany(claimed.map { ($0.id, $0.attempt, AttemptEnd(outcome: .succeeded)) }, worker: "w")
        let c = counts()
        #expect(c["create"]! == (4, 2))
        #expect(c["claim"]! == (4, 1))
        #expect(c["start"]! == (4, 1))
        #expect(c["finish"]! == (4, 1))
    }

    @Test func sameIdempotencyKeyGivesOneExecution() throws {
        let f = try StoreFixture()
        let a = try f.store.create(NewExecution(job: "report", params: [:], idempotencyKey: "k1"), queueLimit: 0)
        let b = try f.store.create(NewExecution(job: "report", params: [:], idempotencyKey: "k1"), queueLimit: 0)
        #expect(b.id == a.id)
        #expect(b.duplicate)
        #expect(try f.queueList() == [a.id])
        #expect(try f.send("TTL", f.keys.idempotency("k1")).int! > 0)
    }

    @Test func queueOverItsLimitIsRefusedAndWritesNothing() throws {
        let f = try StoreFixture()
        _ = try f.store.create(NewExecution(job: "report", params: [:]), queueLimit: 2)
        _ = try f.store.create(NewExecution(job: "report", params: [:]), queueLimit: 2)
        let before = try f.eventCount()
        let n = NewExecution(job: "report", params: [:])
        #expect(throws: StoreError.queueFull(limit: 2)) { try f.store.create(n, queueLimit: 2) }
        #expect(try f.send("EXISTS", f.keys.exec(n.id)).int == 0)
        #expect(try f.queueList().count == 2)
        #expect(try f.eventCount() == before)
    }
}
