import BatchCore
import Redis
@testable import Store
import Testing
import TestSupport

/// Claiming: priority order, free workers and concurrency limits, stale queue entries.
@Suite(.blocking) struct ExecutionClaimTests {
    @Test func claimTakesHighestPriorityFirstAndFIFOWithinOne() throws {
        let f = try StoreFixture()
        let low1 = try f.store.create(NewExecution(job: "report", params: [:], priority: 1), queueLimit: 0).id
        let mid1 = try f.store.create(NewExecution(job: "report", params: [:], priority: 5), queueLimit: 0).id
        let mid2 = try f.store.create(NewExecution(job: "report", params: [:], priority: 5), queueLimit: 0).id
        let high = try f.store.create(NewExecution(job: "report", params: [:], priority: 9), queueLimit: 0).id
        var order: [String] = []
        while let c = try f.store.claim(allowed: ["report": 0], leaseMillis: 10_000, gateway: "g1") { order.append(c.id) }
        #expect(order == [high, mid1, mid2, low1])
        for id in order {
            #expect(try f.state(id) == .dispatched)
            #expect(try f.leased(id))
            #expect(try f.field(id, "attempt") == "1")
        }
        #expect(try f.running() == 4)
    }

    @Test func claimSkipsJobsWithoutFreeWorkersOrAtTheirConcurrencyLimit() throws {
        let f = try StoreFixture()
        let a = try f.store.create(NewExecution(job: "a", params: [:]), queueLimit: 0).id
        let b1 = try f.store.create(NewExecution(job: "b", params: [:]), queueLimit: 0).id
        let b2 = try f.store.create(NewExecution(job: "b", params: [:]), queueLimit: 0).id
        // Only b has a worker; its fleet-wide limit is 1.
        #expect(try f.store.claim(allowed: ["b": 1], leaseMillis: 10_000, gateway: "g")?.id == b1)
        #expect(try f.store.claim(allowed: ["b": 1], leaseMillis: 10_000, gateway: "g") == nil)
        #expect(try f.queueList() == [a, b2])
        #expect(try f.store.claim(allowed: [:], leaseMillis: 10_000, gateway: "g") == nil)
        #expect(try f.store.claim(allowed: ["a": 0, "b": 1], leaseMillis: 10_000, gateway: "g")?.id == a)
    }

    @Test func claimDropsStaleQueueEntries() throws {
        let f = try StoreFixture()
        _ = try f.send("RPUSH", f.keys.queue(5), "01AAAAAAAAAAAAAAAAAAAAAAAA")
        let id = try f.store.create(NewExecution(job: "report", params: [:]), queueLimit: 0).id
        #expect(try f.store.claim(allowed: ["report": 0], leaseMillis: 1000, gateway: "g")?.id == id)
        #expect(try f.queueList().isEmpty)
    }
}
