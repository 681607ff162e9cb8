import BatchCore
import Foundation
import Redis
import Synchronization
@testable import Store
import Testing
import TestSupport

/// Executions created to run later: `scheduled` until their time on Redis' clock,
/// then queued once by whichever promoter gets them first.
@Suite(.blocking) struct RunLaterStoreTests {
    @Test func anExecutionWithADelayWaitsScheduledOutOfEveryQueue() throws {
        let f = try StoreFixture()
        let before = try f.nowMs()
        let r = try f.store.create(NewExecution(job: "report", params: [:], runLater: .after(60_000)), queueLimit: 100)
        #expect(r.state == .scheduled && !r.duplicate)
        #expect(try f.state(r.id) == .scheduled)
        #expect(try f.indexedStates(r.id) == [.scheduled])
        let due = try #require(try f.field(r.id, Field.due.rawValue).flatMap { Int64($0) })
        let after = try f.nowMs()
        #expect(due >= before + 60_000 && due <= after + 60_000)
        #expect(try f.send("ZSCORE", f.keys.due, r.id).string.flatMap { Int64($0) } == due)
        #expect(try f.store.queueDepth() == (queued: 0, delayed: 0, scheduled: 1))
        #expect(try f.field(r.id, Field.queued.rawValue) == nil)
        // Nothing to claim, and the promoter leaves it where it is.
        #expect(try f.store.claim(allowed: ["report": 0], leaseMillis: 60_000, gateway: "g") == nil)
        let round = try f.store.promoteDue()
        #expect(round.promoted == 0 && round.nextDueMillis == due)
        #expect(try f.store.get(r.id)?.due == due)
    }

    @Test func anInstantAlreadyPastIsQueuedAtOnce() throws {
        let f = try StoreFixture()
        let r = try f.store.create(NewExecution(job: "report", params: [:], runLater: .at(try f.nowMs() - 5_000)), queueLimit: 100)
        #expect(r.state == .queued)
        #expect(try f.store.queueDepth() == (queued: 1, delayed: 0, scheduled: 0))
        #expect(try f.field(r.id, Field.due.rawValue) == nil)
    }

    @Test func aDueExecutionIsQueuedWithItsEvent() throws {
        let f = try StoreFixture()
        let id = try f.seed(state: .scheduled, worker: nil, leaseMs: nil, dueMs: -1)
        let round = try f.store.promoteDue()
        #expect(round.promoted == 1 && round.nextDueMillis == nil)
        #expect(try f.state(id) == .queued)
        #expect(try f.indexedStates(id) == [.queued])
        #expect(try f.store.queueDepth() == (queued: 1, delayed: 0, scheduled: 0))
        let last = try #require(try f.store.events(after: "0", count: 100).last)
        #expect(last.executionID == id && last.kind == .queued && last.state == .queued)
    }

    @Test func cancellingAScheduledExecutionTakesItOutOfTheDueSet() throws {
        let f = try StoreFixture()
        let r = try f.store.create(NewExecution(job: "report", params: [:], runLater: .after(60_000)), queueLimit: 100)
        let c = try f.store.cancel(id: r.id, user: "op", source: "test")
        #expect(c.state == .cancelled)
        #expect(try f.state(r.id) == .cancelled)
        #expect(try f.send("ZCARD", f.keys.due).int == 0)
        #expect(try f.store.promoteDue().promoted == 0)
        #expect(try f.state(r.id) == .cancelled)
    }

    @Test func scheduledExecutionsCountTowardTheQueueLimit() throws {
        let f = try StoreFixture()
        for _ in 0..<3 { _ = try f.store.create(NewExecution(job: "report", params: [:], runLater: .after(60_000)), queueLimit: 4) }
        _ = try f.store.create(NewExecution(job: "report", params: [:]), queueLimit: 4)
        #expect(throws: StoreError.queueFull(limit: 4)) {
            try f.store.create(NewExecution(job: "report", params: [:], runLater: .after(1_000)), queueLimit: 4)
        }
    }

    @Test func aThousandDueAtOnceAreQueuedOnceEachByRacingPromoters() throws {
        let f = try StoreFixture()
        let now = try f.nowMs()
        let ids = try f.store.createMany((0..<1000).map { _ in NewExecution(job: "report", params: [:], runLater: .at(now + 400)) },
                                         queueLimit: 10_000).map { try $0.get().id }
        #expect(try f.store.queueDepth().scheduled == 1000)
        // Four promoters, each with its own connection, polling until all are queued.
        let promoted = Mutex(0)
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            do {
                let redis = try RedisClient(url: try RedisServer.shared.url)
                let store = ExecutionStore(redis: redis, namespace: f.namespace)
                let deadline = ContinuousClock.now + .seconds(30)
                while ContinuousClock.now < deadline {
                    let r = try store.promoteDue(limit: 100)
                    promoted.withLock { $0 += r.promoted }
                    if r.promoted == 0, r.nextDueMillis == nil { break }
                    if r.promoted == 0 { Thread.sleep(forTimeInterval: 0.005) }
                }
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        #expect(failures.withLock { $0 }.isEmpty)
        #expect(promoted.withLock { $0 } == 1000)
        var queued: [String] = []
        for p in Priority.range { queued += try f.send("LRANGE", f.keys.queue(p), 0, -1).array?.compactMap(\.string) ?? [] }
        #expect(queued.count == 1000 && Set(queued) == Set(ids), "each id once in the queues")
        for id in ids.prefix(20) {
            let queuedAt = try #require(try f.field(id, Field.queued.rawValue).flatMap { Int64($0) })
            #expect(queuedAt >= now + 400, "queued before its time")
        }
    }
}
