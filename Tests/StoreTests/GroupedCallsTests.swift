import BatchCore
import Dispatch
import Glibc
import Redis
@testable import Store
import Synchronization
import Testing
import TestSupport

/// `GroupCommit` on its own: answers, errors and grouping under concurrency.
@Suite(.blocking) struct GroupCommitTests {
    @Test func everyConcurrentCallGetsItsOwnAnswer() {
        let groups = Mutex<[Int]>([])
        let g = GroupCommit<Int, Int> { items throws(StoreError) in
            groups.withLock { $0.append(items.count) }
            usleep(200)  // a round trip's time, so calls pile up behind it
            return items.map { .success($0 * 2) }
        }
        let wrong = Mutex<[Int]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { t in
            for i in 0..<500 {
                let n = t * 1_000 + i
                let answer = try? g.call(n)
                if answer != n * 2 { wrong.withLock { $0.append(n) } }
            }
        }
        #expect(wrong.withLock { $0 } == [])
        let sizes = groups.withLock { $0 }
        #expect(sizes.reduce(0, +) == 4_000)
        // With 8 threads calling, some round trips carried more than one call.
        #expect(sizes.contains { $0 > 1 })
    }

    @Test func noGroupCarriesMoreThanItsBound() {
        let sizes = Mutex<[Int]>([])
        let g = GroupCommit<Int, Int>(maxGroup: 3) { items throws(StoreError) in
            sizes.withLock { $0.append(items.count) }
            usleep(200)
            return items.map { .success($0 + 1) }
        }
        let wrong = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 8) { t in
            for i in 0..<200 where (try? g.call(t * 1_000 + i)) != t * 1_000 + i + 1 { wrong.withLock { $0 += 1 } }
        }
        #expect(wrong.withLock { $0 } == 0)
        let all = sizes.withLock { $0 }
        #expect(all.reduce(0, +) == 1_600)
        #expect(all.allSatisfy { $0 <= 3 }, "\(all.filter { $0 > 3 })")
    }

    @Test func aThrownErrorIsTheAnswerOfEveryCallOfItsGroupAndTheNextGroupRunsAgain() {
        let calls = Mutex(0)
        let g = GroupCommit<Int, Int> { items throws(StoreError) in
            let n = calls.withLock { c -> Int in c += 1; return c }
            if n == 1 { throw .unexpectedReply("down") }
            return items.map { .success($0) }
        }
        #expect(throws: StoreError.unexpectedReply("down")) { try g.call(1) }
        #expect((try? g.call(2)) == 2)
    }

    @Test func aPerItemFailureReachesOnlyItsCaller() throws {
        let g = GroupCommit<Int, Int> { items throws(StoreError) in
            items.map { $0 < 0 ? .failure(.notFound("\($0)")) : .success($0) }
        }
        #expect(throws: StoreError.notFound("-1")) { try g.call(-1) }
        #expect(try g.call(3) == 3)
    }
}

/// The `…Many` operations: each item exactly as the single call would do it.
@Suite(.blocking) struct ManyOperationsTests {
    @Test func createClaimStartFinishManyTakeExecutionsThroughTheirLifecycle() throws {
        let f = try StoreFixture()
        let news = (0..<20).map { i in NewExecution(job: "report", params: ["n": "\(i)"]) }
        let created = try f.store.createMany(news, queueLimit: 0).map { try $0.get() }
        #expect(created.map(\.id) == news.map(\.id))
        #expect(created.allSatisfy { $0.state == .queued && !$0.duplicate })
        #expect(try f.queueList().count == 20)

        let claimed = try f.store.claimMany(allowed: ["report": 0], max: 50, leaseMillis: 60_000, gateway: "g1")
        // FIFO within a priority, and no more than there were.
        #expect(claimed.map(\.id) == news.map(\.id))
        #expect(claimed.map(\.params) == news.map(\.params))
        #expect(try f.queueList().isEmpty)

        let started = try f.store.startMany(claimed.map { ($0.id, $0.attempt) }, worker: "w1", leaseMillis: 60_000)
        #expect(try started.map { try $0.get() } == Array(repeating: .running, count: 20))
        let ends = try f.store.finishMany(claimed.map { ($0.id, $0.attempt, AttemptEnd(outcome: .succeeded, exitCode: 0)) }, worker: "w1")
        #expect(try ends.map { try $0.get() } == Array(repeating: .succeeded, count: 20))
        for c in claimed {
            #expect(try f.state(c.id) == .succeeded)
            #expect(try f.inIndex(c.id, .succeeded))
            #expect(try !f.inIndex(c.id, .running))
        }
        #expect(try f.send("ZCARD", f.keys.leases).int == 0)
    }

    @Test func refusalsOfOneItemDoNotTouchTheOthers() throws {
        let f = try StoreFixture()
        let good = try f.seed(state: .running, worker: "w1", leaseMs: 60_000)
        let stale = try f.seed(state: .running, attempt: 2, worker: "w1", leaseMs: 60_000)
        let unknown = ExecutionID.make()
        let ends = try f.store.finishMany([
            (good, 1, AttemptEnd(outcome: .succeeded)),
            (stale, 1, AttemptEnd(outcome: .succeeded)),
            (unknown, 1, AttemptEnd(outcome: .succeeded)),
        ], worker: "w1")
        #expect(try ends[0].get() == .succeeded)
        #expect(throws: StoreError.staleAttempt(id: stale, attempt: 1, current: 2)) { try ends[1].get() }
        #expect(throws: StoreError.notFound(unknown)) { try ends[2].get() }
        #expect(try f.state(stale) == .running)
    }

    @Test func createManyAnswersDuplicatesAndTheQueueBoundPerItem() throws {
        let f = try StoreFixture()
        let first = NewExecution(job: "report", params: [:], idempotencyKey: "k1")
        let again = NewExecution(job: "report", params: [:], idempotencyKey: "k1")
        let third = NewExecution(job: "report", params: [:])
        let r = try f.store.createMany([first, again, third], queueLimit: 1)
        #expect(try r[0].get().duplicate == false)
        let dup = try r[1].get()
        #expect(dup.duplicate && dup.id == first.id)
        #expect(throws: StoreError.queueFull(limit: 1)) { try r[2].get() }
        #expect(try f.send("EXISTS", f.keys.exec(third.id)).int == 0)
    }

    /// Index writes are gathered and made at the end of a call, in commands of at most
    /// 4,000 arguments: a call of 4,100 creates writes its queued index in three
    /// (one command of them all would be more than `unpack` can take).
    @Test func aCallOfMoreItemsThanOneIndexCommandTakesIndexesEveryItem() throws {
        let f = try StoreFixture()
        let news = (0..<4_100).map { _ in NewExecution(job: "report", params: [:]) }
        let items = news.map { f.store.createArgs($0, queueLimit: 0, idempotencyTTLSeconds: 60).map(\.redisBytes) }
        let replies = try ExecutionStore.callItems(f.redis, Scripts.create, head: f.store.head, items)
        #expect(replies.count == 4_100)
        #expect(try f.send("ZCARD", f.keys.byState("queued")).int == 4_100)
        #expect(try f.send("ZCARD", f.keys.recent).int == 4_100)
        #expect(try f.send("ZCARD", f.keys.byJob("report")).int == 4_100)
        #expect(try f.queueList() == news.map(\.id))
    }

    @Test func manyThreadsCallingOneStoreAreGroupedAndEachGetsItsOwnExecution() throws {
        let f = try StoreFixture()
        let ids = Mutex<[String]>([])
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<100 {
                do {
                    let c = try f.store.create(NewExecution(job: "report", params: [:]), queueLimit: 0)
                    ids.withLock { $0.append(c.id) }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
        }
        #expect(failures.withLock { $0 } == [])
        let all = ids.withLock { $0 }
        #expect(Set(all).count == 800)
        #expect(try f.queueList().count == 800)
    }
}
