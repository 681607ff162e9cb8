import BatchCore
import Redis
@testable import Store
import Testing
import TestSupport

/// Reads: many at once, pages and cursors, counts, events.
@Suite(.blocking) struct ExecutionReadTests {
    @Test func getManyReadsEachInOrderAndNilForUnknown() throws {
        let f = try StoreFixture()
        let a = try f.store.create(NewExecution(job: "report", params: ["n": "1"]), queueLimit: 0)
        let b = try f.store.create(NewExecution(job: "backup", params: [:]), queueLimit: 0)
        let unknown = ExecutionID.make()
        let records = try f.store.getMany([b.id, "not an id", unknown, a.id])
        #expect(records.map { $0?.id } == [b.id, nil, nil, a.id])
        #expect(records[3]?.params == ["n": "1"] && records[0]?.job == "backup")
        #expect(try f.store.getMany([]).isEmpty)
    }

    @Test func pagesByStateAndJobNewestFirst() throws {
        let f = try StoreFixture()
        var ids: [String] = []
        for i in 0..<7 {
            ids.append(try f.store.create(NewExecution(job: i % 2 == 0 ? "even" : "odd", params: [:]), queueLimit: 0).id)
        }
        let all = try f.store.list(limit: 100)
        #expect(Set(all.executions.map(\.id)) == Set(ids))
        let evens = try f.store.list(state: .queued, job: "even", limit: 100)
        #expect(evens.executions.count == 4)
        #expect(evens.executions.allSatisfy { $0.job == "even" })
        let byJob = try f.store.list(job: "odd", limit: 100)
        #expect(byJob.executions.count == 3)
        let counts = try f.store.counts()
        #expect(counts[.queued] == 7)
        #expect(try f.store.queueDepth().queued == 7)
    }

    @Test func pagingWithACursorWalksEverythingOnce() throws {
        let f = try StoreFixture()
        let now = try f.nowMs()
        // Distinct creation times, so the cursor is exact.
        for i in 0..<25 {
            let id = ExecutionID.make()
            _ = try f.send("HSET", f.keys.exec(id), "id", id, "job", "j", "state", "succeeded", "created", now - Int64(i * 10), "updated", now - Int64(i * 10))
            _ = try f.send("ZADD", f.keys.recent, now - Int64(i * 10), id)
        }
        let seen = try everyPage(f, limit: 10)
        #expect(seen.count == 25)
        #expect(Set(seen).count == 25)
    }

    @Test func pagesNeverSkipExecutionsThatShareAMillisecond() throws {
        let f = try StoreFixture()
        var ids: [String] = []
        for _ in 0..<7 {
            let id = ExecutionID.make()
            _ = try f.send("HSET", f.keys.exec(id), "id", id, "job", "j", "state", "succeeded", "created", 5000, "updated", 5000)
            _ = try f.send("ZADD", f.keys.recent, 5000, id)
            ids.append(id)
        }
        let seen = try everyPage(f, limit: 2)
        #expect(seen.sorted() == ids.sorted())
        #expect(seen.count == 7)
        #expect(throws: StoreError.badCursor("nonsense")) { try f.store.list(before: "nonsense") }
    }

    @Test func eventsRecordEveryTransition() throws {
        let f = try StoreFixture()
        let id = try f.store.create(NewExecution(job: "report", params: [:]), queueLimit: 0).id
        let c = try #require(try f.store.claim(allowed: ["report": 0], leaseMillis: 10_000, gateway: "g"))
        _ = try f.store.start(id: id, attempt: c.attempt, worker: "w", leaseMillis: 10_000)
        _ = try f.store.finish(id: id, attempt: c.attempt, worker: "w", end: AttemptEnd(outcome: .succeeded))
        let ev = try f.store.recentEvents(count: 10)
        #expect(ev.map(\.type) == ["created", "dispatched", "running", "succeeded"])
        #expect(ev.allSatisfy { $0.executionID == id })
        let after = try f.store.events(after: ev[1].streamID)
        #expect(after.map(\.type) == ["running", "succeeded"])
    }
}

/// The ids of every page of the listing, `limit` at a time, following each page's cursor.
private func everyPage(_ f: StoreFixture, limit: Int) throws -> [String] {
    var seen: [String] = []
    var before: String?
    repeat {
        let page = try f.store.list(limit: limit, before: before)
        seen += page.executions.map(\.id)
        before = page.next
    } while before != nil
    return seen
}
