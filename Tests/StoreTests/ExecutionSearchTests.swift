import BatchCore
import Foundation
import Redis
@testable import Store
import Testing
import TestSupport

/// Searches: narrowed by an index, tested field by field, paged newest first.
@Suite(.blocking) struct ExecutionSearchTests {
    /// Writes an execution and its indexes with `at` as every index score.
    @discardableResult
    func put(_ f: StoreFixture, job: String, state: ExecutionState, at: Int64, error: String? = nil,
             reason: String? = nil, worker: String = "w1") throws -> String {
        let id = ExecutionID.make()
        var fields: [any RedisArgument] = ["HSET", f.keys.exec(id), "id", id, "job", job, "state", state.rawValue,
                                           "worker", worker, "created", at, "updated", at]
        if let error { fields += ["error", error] }
        if let reason { fields += ["reason", reason] }
        _ = try f.redis.send(RedisCommand(fields))
        _ = try f.send("ZADD", f.keys.byState(state.rawValue), at, id)
        _ = try f.send("ZADD", f.keys.recent, at, id)
        _ = try f.send("ZADD", f.keys.byJob(job), at, id)
        return id
    }

    func query(_ text: String, now: Int64) throws -> ExecutionQuery { try ExecutionQuery.parse(text, now: now) }

    @Test func stateJobAndTextNarrowTogether() throws {
        let f = try StoreFixture()
        let now = try f.nowMs()
        let hit = try put(f, job: "etl", state: .failed, at: now - 10, error: "Worker lost mid-run", reason: "worker_lost")
        try put(f, job: "etl", state: .failed, at: now - 20, error: "exit 3", reason: "exit_code")
        try put(f, job: "report", state: .failed, at: now - 30, error: "worker lost", reason: "worker_lost")
        try put(f, job: "etl", state: .succeeded, at: now - 40, error: "lost nothing")
        let page = try f.store.search(try query("failed job:etl lost", now: now))
        #expect(page.executions.map(\.id) == [hit])
        #expect(page.next == nil && page.total >= 2 && page.examined == page.total)
        #expect(try f.store.search(try query("failed:worker_lost", now: now)).executions.count == 2)
        #expect(try f.store.search(try query("worker:w2", now: now)).executions.isEmpty)
        #expect(try f.store.search(ExecutionQuery()).total == 4)
        // `dispatched` has no index: the job's (or all) is walked and the state tested.
        let leased = try f.seed(state: .dispatched, job: "etl")
        #expect(try f.store.search(try query("dispatched job:etl", now: now)).executions.map(\.id) == [leased])
        #expect(try f.store.search(try query("dispatched", now: now)).executions.map(\.id) == [leased])
    }

    @Test func timeRangeBoundsTheIndexScores() throws {
        let f = try StoreFixture()
        let now = try f.nowMs()
        let old = try put(f, job: "etl", state: .failed, at: now - 7_200_000)
        let recent = try put(f, job: "etl", state: .failed, at: now - 60_000)
        #expect(try f.store.search(try query("failed since:1h", now: now)).executions.map(\.id) == [recent])
        #expect(try f.store.search(try query("job:etl until:1h", now: now)).executions.map(\.id) == [old])
        let page = try f.store.search(try query("since:3h until:1m", now: now))
        #expect(page.executions.map(\.id) == [recent, old] && page.total == 2)
    }

    @Test func theCursorGoesOnToAnOldMatch() throws {
        let f = try StoreFixture()
        let now = try f.nowMs()
        let match = try put(f, job: "etl", state: .failed, at: now - 1_000, error: "disk full")
        for i in 0..<30 { try put(f, job: "etl", state: .failed, at: now - 900 + Int64(i), error: "exit 1") }
        let q = try query(#""Disk Full""#, now: now)
        let first = try f.store.search(q, limit: 5, examine: 10)
        #expect(first.executions.isEmpty && first.examined == 10 && first.total == 31 && first.next != nil)
        var cursor = first.next, found: [String] = [], calls = 1
        while let c = cursor, calls < 10 {
            let page = try f.store.search(q, limit: 5, before: c, examine: 10)
            found += page.executions.map(\.id); cursor = page.next; calls += 1
        }
        #expect(found == [match] && calls == 4)
        #expect(throws: StoreError.self) { try f.store.search(q, before: "nonsense") }
    }

    /// 25,000 executions of one job type: the newest failure with an error text is found
    /// through the failed index at once, and by text alone through `recent` by paging.
    @Test func theNewestFailureByErrorTextAmongManyExecutions() throws {
        let f = try StoreFixture()
        var seeder = try ScaleSeeder(store: f.store)
        let count = 25_000
        try seeder.seed(count: count, baseMs: Int64(Date().timeIntervalSince1970 * 1000) - Int64(count) - 60_000)
        let failures = seeder.seeded.filter { $0.state == .failed }
        let older = failures[10].id, newer = failures[200].id
        for id in [older, newer] { _ = try f.send("HSET", f.keys.exec(id), "error", "No space left on device") }
        let now = try f.nowMs()
        let byState = try f.store.search(try query("failed job:\(seeder.job) \"space left\"", now: now), limit: 1)
        #expect(byState.executions.map(\.id) == [newer] && byState.total == failures.count)

        var cursor: String?, found: [String] = [], calls = 0
        repeat {
            let page = try f.store.search(try query("\"space left\"", now: now), limit: 1, before: cursor)
            #expect(page.examined <= ExecutionStore.searchExamineLimit && page.total == count)
            found += page.executions.map(\.id); cursor = page.next; calls += 1
        } while found.isEmpty && cursor != nil
        #expect(found == [newer] && calls == 2)
    }
}
