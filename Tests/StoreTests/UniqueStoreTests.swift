import BatchCore
import Dispatch
import Redis
import Synchronization
@testable import Store
import Testing
import TestSupport

/// A unique lock (`unique:<key>`) holds while its execution is active and ends with any terminal state.
@Suite(.blocking) struct UniqueStoreTests {
    func new(_ key: String, idempotencyKey: String? = nil, maxAttempts: Int = 1, runLater: RunLater = .now) -> NewExecution {
        var n = NewExecution(job: "report", params: ["day": key], maxAttempts: maxAttempts, idempotencyKey: idempotencyKey,
                             runLater: runLater)
        n.uniqueKey = "u-" + key
        return n
    }

    func holder(_ f: StoreFixture, _ key: String) throws -> String? { try f.send("GET", f.keys.unique("u-" + key)).string }

    /// Claims and starts the only queued execution; its attempt number.
    func run(_ f: StoreFixture, _ id: String) throws -> Int {
        let c = try #require(try f.store.claim(allowed: ["report": 0], leaseMillis: 60_000, gateway: "g"))
        #expect(c.id == id)
        #expect(try f.store.start(id: id, attempt: c.attempt, worker: "w1", leaseMillis: 60_000) == .running)
        return c.attempt
    }

    @Test func aSecondRequestWhileActiveAnswersTheFirst() throws {
        let f = try StoreFixture()
        let a = try f.store.create(new("mon"), queueLimit: 0)
        let b = try f.store.create(new("mon"), queueLimit: 0)
        let other = try f.store.create(new("tue"), queueLimit: 0)
        #expect(!a.duplicate && b.duplicate && !other.duplicate)
        #expect(b.id == a.id && b.state == .queued && b.created == a.created)
        #expect(other.id != a.id)
        #expect(try f.queueList() == [a.id, other.id])
        #expect(try holder(f, "mon") == a.id)
        #expect(try f.field(a.id, Field.uniqueKey.rawValue) == "u-mon")
        #expect(try f.send("TTL", f.keys.unique("u-mon")).int == -1)
        // Running (and scheduled) still hold it.
        _ = try run(f, a.id)
        #expect(try f.store.create(new("mon"), queueLimit: 0).id == a.id)
        let later = try f.store.create(new("wed", runLater: .after(60_000)), queueLimit: 0)
        #expect(try f.store.create(new("wed"), queueLimit: 0) == CreateResult(id: later.id, state: .scheduled, duplicate: true,
                                                                                  created: later.created))
    }

    @Test(arguments: [ExecutionState.succeeded, .failed, .timedOut, .cancelled])
    func theLockEndsWithTheAttemptsEnd(_ outcome: ExecutionState) throws {
        let f = try StoreFixture()
        let a = try f.store.create(new("mon"), queueLimit: 0)
        let attempt = try run(f, a.id)
        if outcome == .cancelled { _ = try f.store.cancel(id: a.id, user: "op", source: "test") }
        let end = AttemptEnd(outcome: outcome == .cancelled ? .failed : outcome, retryable: outcome == .cancelled)
        #expect(try f.store.finish(id: a.id, attempt: attempt, worker: "w1", end: end) == outcome)
        #expect(try holder(f, "mon") == nil)
        let b = try f.store.create(new("mon"), queueLimit: 0)
        #expect(!b.duplicate && b.id != a.id)
        #expect(try holder(f, "mon") == b.id)
    }

    @Test(arguments: [RunLater.now, .after(60_000)])
    func cancelBeforeItRunsEndsTheLock(_ when: RunLater) throws {
        let f = try StoreFixture()
        let a = try f.store.create(new("mon", runLater: when), queueLimit: 0)
        #expect(try f.store.cancel(id: a.id, user: "op", source: "test").state == .cancelled)
        #expect(try holder(f, "mon") == nil)
        #expect(try !f.store.create(new("mon"), queueLimit: 0).duplicate)
    }

    @Test func aRetryKeepsTheLockAndALostLeaseThatFailsEndsIt() throws {
        let f = try StoreFixture()
        let a = try f.store.create(new("mon", maxAttempts: 2), queueLimit: 0)
        let first = try run(f, a.id)
        let st = try f.store.finish(id: a.id, attempt: first, worker: "w1", end: AttemptEnd(outcome: .failed, retryable: true))
        #expect(st == .retrying)
        #expect(try f.store.create(new("mon"), queueLimit: 0).id == a.id)
        #expect(try f.store.promoteDue().promoted == 1)
        _ = try run(f, a.id)
        // The second attempt's lease runs out: no attempts are left, so it fails (worker_lost).
        _ = try f.send("ZADD", f.keys.leases, try f.nowMs() - 1, a.id)
        #expect(try f.store.recoverExpired(poisonThreshold: 3, backoffMillis: 0).map(\.state) == [.failed])
        #expect(try holder(f, "mon") == nil)
        #expect(try f.store.create(new("mon"), queueLimit: 0).id != a.id)
    }

    @Test func aLockNamingAnEndedOrMissingExecutionIsTakenOver() throws {
        let f = try StoreFixture()
        let ended = try f.seed(state: .succeeded, leaseMs: nil)
        _ = try f.send("SET", f.keys.unique("u-mon"), ended)
        _ = try f.send("SET", f.keys.unique("u-tue"), "gone")
        let a = try f.store.create(new("mon"), queueLimit: 0)
        let b = try f.store.create(new("tue"), queueLimit: 0)
        #expect(!a.duplicate && !b.duplicate)
        #expect(try holder(f, "mon") == a.id && holder(f, "tue") == b.id)
        // The trim leaves a lock that names a newer execution, and ends one that names the trimmed one.
        _ = try f.send("HSET", f.keys.exec(ended), Field.uniqueKey.rawValue, "u-mon")
        let old = try f.seed(state: .failed, leaseMs: nil)
        _ = try f.send("HSET", f.keys.exec(old), Field.uniqueKey.rawValue, "u-wed")
        _ = try f.send("SET", f.keys.unique("u-wed"), old)
        #expect(try f.store.trim(maxCount: 0, maxAgeMillis: 86_400_000) == 2)
        #expect(try holder(f, "mon") == a.id && holder(f, "wed") == nil)
    }

    @Test func theIdempotencyKeyIsCheckedFirstAndBothStayIndependent() throws {
        let f = try StoreFixture()
        let a = try f.store.create(new("mon", idempotencyKey: "k1"), queueLimit: 0)
        // Another key, same values: the unique lock answers.
        #expect(try f.store.create(new("mon", idempotencyKey: "k2"), queueLimit: 0).id == a.id)
        _ = try f.store.cancel(id: a.id, user: "op", source: "test")
        // The idempotency key still names the ended execution; the lock no longer holds.
        let again = try f.store.create(new("mon", idempotencyKey: "k1"), queueLimit: 0)
        #expect(again.id == a.id && again.duplicate && again.state == .cancelled)
        #expect(try !f.store.create(new("mon"), queueLimit: 0).duplicate)
    }

    @Test func oneCallOfManyCreatesOneAndAnswersTheRestAsDuplicates() throws {
        let f = try StoreFixture()
        let r = try f.store.createMany([new("mon"), new("tue"), new("mon"), new("mon")], queueLimit: 0).map { try $0.get() }
        #expect(r.map(\.duplicate) == [false, false, true, true])
        #expect(Set([r[0].id, r[2].id, r[3].id]).count == 1)
        #expect(try f.queueList().count == 2)
    }

    @Test func eightConnectionsAtOnceMakeOneExecution() throws {
        let f = try StoreFixture()
        let results = Mutex<[CreateResult]>([])
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            do {
                let s = ExecutionStore(redis: try RedisClient(url: try RedisServer.shared.url), namespace: f.namespace)
                let r = try s.create(new("mon"), queueLimit: 0)
                results.withLock { $0.append(r) }
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        #expect(failures.withLock { $0 } == [])
        let r = results.withLock { $0 }
        #expect(r.count == 8 && Set(r.map(\.id)).count == 1)
        #expect(r.filter { !$0.duplicate }.count == 1)
        #expect(try f.queueList().count == 1)
    }
}
