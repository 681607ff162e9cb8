import BatchCore
import Foundation
import Redis
@testable import Store
import Testing
import TestSupport

/// How far a claim looks into each priority queue, and what it leaves behind.
@Suite(.blocking)
struct ClaimScanTests {
    private func store(_ f: StoreFixture, depth: Int) -> ExecutionStore {
        var limits = StoreLimits()
        limits.claimScanDepth = depth
        return ExecutionStore(redis: f.redis, namespace: f.namespace, limits: limits)
    }

    private func queue(_ f: StoreFixture, job: String, priority: Int = 5) throws -> String {
        try f.store.create(NewExecution(job: job, params: [:], priority: priority), queueLimit: 0).id
    }

    @Test(arguments: [(depth: 3, finds: false), (depth: 4, finds: true), (depth: 64, finds: true)])
    func aClaimLooksAtTheFirstDepthEntriesOfAQueueOnly(depth: Int, finds: Bool) throws {
        let f = try StoreFixture()
        let blocked = try (0..<3).map { _ in try queue(f, job: "a") }
        let b = try queue(f, job: "b")
        let c = try store(f, depth: depth).claim(allowed: ["b": 0], leaseMillis: 10_000, gateway: "g")
        #expect(c?.id == (finds ? b : nil))
        #expect(try f.queueList() == blocked + (finds ? [] : [b]))
    }

    @Test func staleEntriesCountTowardsTheDepthAndAreDropped() throws {
        let f = try StoreFixture()
        _ = try f.send("RPUSH", f.keys.queue(5), "01AAAAAAAAAAAAAAAAAAAAAAAA", "01BBBBBBBBBBBBBBBBBBBBBBBB")
        let b = try queue(f, job: "b")
        let s = store(f, depth: 2)
        #expect(try s.claim(allowed: ["b": 0], leaseMillis: 10_000, gateway: "g") == nil)
        #expect(try f.queueList() == [b])
        #expect(try s.claim(allowed: ["b": 0], leaseMillis: 10_000, gateway: "g")?.id == b)
    }

    @Test func staleEntriesBeforeABlockedHeadAreDroppedAndTheWindowContinuesAfterIt() throws {
        let f = try StoreFixture()
        _ = try f.send("RPUSH", f.keys.queue(5), "01AAAAAAAAAAAAAAAAAAAAAAAA")
        let a = try queue(f, job: "a")
        _ = try f.send("RPUSH", f.keys.queue(5), "01BBBBBBBBBBBBBBBBBBBBBBBB")
        let a2 = try queue(f, job: "a")
        let b = try queue(f, job: "b")
        // Window of 4: stale, a, stale, a — b is the fifth.
        #expect(try store(f, depth: 4).claim(allowed: ["b": 0], leaseMillis: 10_000, gateway: "g") == nil)
        #expect(try f.queueList() == [a, a2, b])
        #expect(try store(f, depth: 3).claim(allowed: ["b": 0], leaseMillis: 10_000, gateway: "g")?.id == b)
        #expect(try f.queueList() == [a, a2])
    }

    @Test func aBlockedHigherPriorityKeepsItsPlaceAndALowerOneIsClaimed() throws {
        let f = try StoreFixture()
        let high = try queue(f, job: "a", priority: 9)
        let high2 = try queue(f, job: "a", priority: 9)
        let mid = try queue(f, job: "a", priority: 7)
        let low = try queue(f, job: "b", priority: 0)
        #expect(try f.store.claim(allowed: ["b": 0], leaseMillis: 10_000, gateway: "g")?.id == low)
        #expect(try f.queueList(9) == [high, high2])
        #expect(try f.queueList(7) == [mid])
        #expect(try f.queueList(0).isEmpty)
        var order: [String] = []
        while let c = try f.store.claim(allowed: ["a": 0], leaseMillis: 10_000, gateway: "g") { order.append(c.id) }
        #expect(order == [high, high2, mid])
    }

    @Test func aJobAtItsLimitInOnePriorityDoesNotStopAnotherJobBelowIt() throws {
        let f = try StoreFixture()
        let a1 = try queue(f, job: "a", priority: 8)
        let a2 = try queue(f, job: "a", priority: 8)
        let b = try queue(f, job: "b", priority: 2)
        #expect(try f.store.claim(allowed: ["a": 1, "b": 1], leaseMillis: 10_000, gateway: "g")?.id == a1)
        #expect(try f.store.claim(allowed: ["a": 1, "b": 1], leaseMillis: 10_000, gateway: "g")?.id == b)
        #expect(try f.store.claim(allowed: ["a": 1, "b": 1], leaseMillis: 10_000, gateway: "g") == nil)
        #expect(try f.queueList(8) == [a2])
    }

    @Test func aClaimOfEmptyQueuesFindsNothingAndCreatesNoKeys() throws {
        let f = try StoreFixture()
        #expect(try f.store.claim(allowed: ["a": 0], leaseMillis: 10_000, gateway: "g") == nil)
        let existing = try f.send("EXISTS", f.keys.queue(5), f.keys.leases, f.keys.jobRunning).int
        #expect(existing == 0)
    }
}
