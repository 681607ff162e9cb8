import BatchCore
import Redis
@testable import Store
import Testing
import TestSupport

/// Due retries, expired leases and retention, as the gateway's maintenance runs them.
@Suite(.blocking) struct ExecutionMaintenanceTests {
    @Test func retryNotYetDueIsNotPromoted() throws {
        let f = try StoreFixture()
        let id = try f.seed(state: .retrying, leaseMs: nil, dueMs: 60_000)
        #expect(try f.store.promoteDue().promoted == 0)
        #expect(try f.state(id) == .retrying)
    }

    @Test func lateHeartbeatAfterExpiryLosesAndRecoveryWins() throws {
        let f = try StoreFixture()
        let id = try f.seed(state: .running, runs: 1, maxAttempts: 3, leaseMs: -1)
        #expect(try f.store.renew(worker: "w1", attempts: [(id, 1)], leaseMillis: 10_000) == [.lost])
        #expect(throws: StoreError.leaseLost(id: id, attempt: 1)) {
            try f.store.finish(id: id, attempt: 1, worker: "w1", end: AttemptEnd(outcome: .succeeded))
        }
        let rec = try f.store.recoverExpired(poisonThreshold: 3, backoffMillis: 0)
        #expect(rec.map(\.id) == [id])
        #expect(rec.map(\.state) == [.retrying])
        #expect(try f.field(id, "lost") == "1")
        #expect(try f.store.renew(worker: "w1", attempts: [(id, 1)], leaseMillis: 10_000) == [.lost])
        #expect(try f.running() == 0)
    }

    @Test func recoveryFailsAsWorkerLostWithoutAttemptsLeftAndAsPoisonAfterTooManyLosses() throws {
        let f = try StoreFixture()
        let noneLeft = try f.seed(state: .running, runs: 1, maxAttempts: 1, leaseMs: -1)
        let poisoned = try f.seed(state: .running, runs: 1, maxAttempts: 5, leaseMs: -1)
        _ = try f.send("HSET", f.keys.exec(poisoned), "lost", 2)
        let neverStarted = try f.seed(state: .dispatched, runs: 0, maxAttempts: 1, worker: nil, leaseMs: -1)
        let cancelling = try f.seed(state: .cancelling, leaseMs: -1)
        let healthy = try f.seed(state: .running, leaseMs: 60_000)
        let rec = Dictionary(uniqueKeysWithValues: try f.store.recoverExpired(poisonThreshold: 3, backoffMillis: 0).map { ($0.id, $0.state) })
        #expect(rec[noneLeft] == .failed)
        #expect(try f.field(noneLeft, "reason") == "worker_lost")
        #expect(rec[poisoned] == .failed)
        #expect(try f.field(poisoned, "reason") == "poison")
        #expect(rec[neverStarted] == .retrying)
        #expect(rec[cancelling] == .cancelled)
        #expect(rec[healthy] == nil)
        #expect(try f.state(healthy) == .running)
    }

    @Test func trimRemovesOldestTerminalExecutionsWithTheirLogsAndIndexes() throws {
        let f = try StoreFixture()
        let done = try (0..<5).map { _ in try f.seed(state: .succeeded, leaseMs: nil) }
        let live = try f.seed(state: .running)
        for id in done { _ = try f.send("RPUSH", f.keys.log(id), "line") }
        let removed = try f.store.trim(maxCount: 2, maxAgeMillis: 86_400_000)
        #expect(removed == 4)
        #expect(try f.state(live) == .running)
        #expect(try f.send("ZCARD", f.keys.recent).int == 2)
        let gone = try done.filter { try f.send("EXISTS", f.keys.exec($0)).int == 0 }
        #expect(gone.count == 4)
        for id in gone {
            #expect(try f.send("EXISTS", f.keys.log(id)).int == 0)
            #expect(try f.inIndex(id, .succeeded) == false)
            #expect(try f.send("ZSCORE", f.keys.byJob("report"), id).isNull)
        }
    }

    @Test func trimByAgeKeepsYoungOnes() throws {
        let f = try StoreFixture()
        let id = try f.seed(state: .failed, leaseMs: nil)
        #expect(try f.store.trim(maxCount: 100, maxAgeMillis: 3_600_000) == 0)
        #expect(try f.state(id) == .failed)
        #expect(try f.store.trim(maxCount: 100, maxAgeMillis: -1) == 1)
    }
}
