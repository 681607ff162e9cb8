import BatchCore
import Redis
@testable import Store
import Testing
import TestSupport

/// `dispatched` has no `by-state` index: its counts and pages come from the leases.
@Suite(.blocking) struct DispatchedStateTests {
    @Test func claimsWriteNoDispatchedIndexAndCountsStillSeeThem() throws {
        let f = try StoreFixture()
        for _ in 0..<5 { _ = try f.store.create(NewExecution(job: "report", params: [:]), queueLimit: 0) }
        let claimed = try f.store.claimMany(allowed: ["report": 0], max: 3, leaseMillis: 60_000, gateway: "g1")
        #expect(claimed.count == 3)
        #expect(try f.send("EXISTS", f.keys.byState("dispatched")).int == 0)
        _ = try f.store.start(id: claimed[0].id, attempt: claimed[0].attempt, worker: "w1", leaseMillis: 60_000)
        _ = try f.store.cancel(id: claimed[1].id, user: "ops", source: "test")
        let counts = try f.store.counts()
        #expect(counts[.queued] == 2)
        #expect(counts[.dispatched] == 1)
        #expect(counts[.running] == 1)
        #expect(counts[.cancelling] == 1)
    }

    @Test func pagesOfDispatchedAreNewestFirstWithCursorsAndJobFilter() throws {
        let f = try StoreFixture()
        var ids: [String] = []
        for i in 0..<7 {
            let job = i % 2 == 0 ? "report" : "export"
            let id = try f.seed(state: .dispatched, job: job, worker: nil, leaseMs: 60_000)
            // Distinct last-change times, oldest first.
            _ = try f.send("HSET", f.keys.exec(id), "updated", 1_000 + i)
            ids.append(id)
        }
        _ = try f.seed(state: .running, leaseMs: 60_000)  // leased but not dispatched: not listed
        let first = try f.store.list(state: .dispatched, limit: 3)
        #expect(first.executions.map(\.id) == [ids[6], ids[5], ids[4]])
        let next = try #require(first.next)
        let second = try f.store.list(state: .dispatched, limit: 3, before: next)
        #expect(second.executions.map(\.id) == [ids[3], ids[2], ids[1]])
        let cursor = try #require(second.next)
        let third = try f.store.list(state: .dispatched, limit: 3, before: cursor)
        #expect(third.executions.map(\.id) == [ids[0]])
        #expect(third.next == nil)
        let reports = try f.store.list(state: .dispatched, job: "report", limit: 10)
        #expect(reports.executions.map(\.id) == [ids[6], ids[4], ids[2], ids[0]])
    }
}

/// A call that claims many pops them together: what it does not claim goes back in order.
@Suite(.blocking) struct ClaimManyOrderTests {
    @Test func claimsHighestPriorityFirstSkipsWhatCannotRunAndLeavesTheRestInOrder() throws {
        let f = try StoreFixture()
        func make(_ job: String, _ priority: Int) throws -> String {
            try f.store.create(NewExecution(job: job, params: [:], priority: priority), queueLimit: 0).id
        }
        let a = try make("x", 5), b = try make("y", 5), c = try make("x", 5), d = try make("x", 5), e = try make("x", 5)
        let high = try make("x", 7)
        let first = try f.store.claimMany(allowed: ["x": 0], max: 3, leaseMillis: 60_000, gateway: "g1")
        #expect(first.map(\.id) == [high, a, c])
        #expect(try f.queueList(5) == [b, d, e])
        #expect(try f.queueList(7) == [])
        // Taken off together but not wanted: back at the front, in order.
        let second = try f.store.claimMany(allowed: ["x": 0], max: 1, leaseMillis: 60_000, gateway: "g1")
        #expect(second.map(\.id) == [d])
        #expect(try f.queueList(5) == [b, e])
        let none = try f.store.claimMany(allowed: ["z": 0], max: 5, leaseMillis: 60_000, gateway: "g1")
        #expect(none.isEmpty)
        #expect(try f.queueList(5) == [b, e])
    }

    @Test func aFleetWideLimitHoldsWithinOneCall() throws {
        let f = try StoreFixture()
        for _ in 0..<6 { _ = try f.store.create(NewExecution(job: "x", params: [:]), queueLimit: 0) }
        let claimed = try f.store.claimMany(allowed: ["x": 4], max: 6, leaseMillis: 60_000, gateway: "g1")
        #expect(claimed.count == 4)
        #expect(try f.queueList(5).count == 2)
        #expect(try f.running("x") == 4)
    }
}

@Suite(.blocking) struct ClaimRoundTests {
    @Test func aShortClaimSaysWhetherAnythingIsLeftQueued() throws {
        let f = try StoreFixture()
        for _ in 0..<2 { _ = try f.store.create(NewExecution(job: "x", params: [:]), queueLimit: 0) }
        let all = try f.store.claimRound(allowed: ["x": 0], max: 5, leaseMillis: 60_000, gateway: "g1")
        #expect(all.claimed.count == 2 && all.queueEmpty)

        for _ in 0..<2 { _ = try f.store.create(NewExecution(job: "x", params: [:]), queueLimit: 0) }
        _ = try f.store.create(NewExecution(job: "y", params: [:]), queueLimit: 0)
        // A `y` stays queued (no slot for it): not empty.
        let some = try f.store.claimRound(allowed: ["x": 0], max: 5, leaseMillis: 60_000, gateway: "g1")
        #expect(some.claimed.count == 2 && !some.queueEmpty)
        // A full claim does not look.
        let full = try f.store.claimRound(allowed: ["y": 0], max: 1, leaseMillis: 60_000, gateway: "g1")
        #expect(full.claimed.count == 1 && !full.queueEmpty)
        let none = try f.store.claimRound(allowed: ["x": 0, "y": 0], max: 3, leaseMillis: 60_000, gateway: "g1")
        #expect(none.claimed.isEmpty && none.queueEmpty)
    }
}
