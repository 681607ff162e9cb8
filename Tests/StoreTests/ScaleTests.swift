import BatchCore
import Foundation
import Redis
@testable import Store
import Testing
import TestSupport

/// Reads stay correct with many retained executions. How fast they are at a
/// million is measured by `bench/store` (store-bench), not asserted here.
@Suite(.blocking) struct ScaleTests {
    /// Enough to make a keyspace scan or a whole-index read stand out, small
    /// enough for a debug build on a busy 2-core machine.
    static let count = 150_000

    @Test func pagesCountsAndRecordsAreRightWithManyRetainedExecutions() throws {
        // A private server: the seeded data (a few hundred MB) goes away with it.
        let server = try RedisServer.start()
        defer { server.stop() }
        let redis = try RedisClient(url: server.url)
        defer { redis.close() }
        let store = ExecutionStore(redis: redis, namespace: RedisServer.uniqueNamespace())
        var seeder = try ScaleSeeder(store: store)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        try seeder.seed(count: Self.count, baseMs: now - Int64(Self.count) - 60_000)
        let all = seeder.seeded
        let newestFirst = Array(all.reversed())

        // Counts per state.
        let expected = Dictionary(grouping: all, by: \.state).mapValues(\.count)
        let counts = try store.counts()
        for state in ExecutionState.allCases {
            #expect(counts[state] == expected[state] ?? 0, "count of \(state)")
        }

        // By state: the first pages through their cursors, newest first, nothing skipped or repeated.
        for state in [ExecutionState.succeeded, .failed, .cancelled] {
            let want = newestFirst.filter { $0.state == state }
            var got: [String] = []
            var cursor: String?
            for _ in 0..<10 {
                let page = try store.list(state: state, limit: 50, before: cursor)
                #expect(page.executions.count == 50)
                #expect(page.executions.allSatisfy { $0.state == state })
                got += page.executions.map(\.id)
                cursor = page.next
                guard cursor != nil else { break }
            }
            #expect(got == want.prefix(500).map(\.id), "the first 500 \(state) executions, newest first")
        }

        // A page from the middle of the largest index, by cursor.
        let succeeded = newestFirst.filter { $0.state == .succeeded }
        let middle = succeeded.count / 2
        let page = try store.list(state: .succeeded, limit: 50, before: "\(succeeded[middle].updated):\(succeeded[middle].id)")
        #expect(page.executions.map(\.id) == succeeded[(middle + 1)..<(middle + 51)].map(\.id))

        // The last page is short and has no cursor.
        let tail = try store.list(state: .succeeded, limit: 50, before: "\(succeeded[succeeded.count - 20].updated):\(succeeded[succeeded.count - 20].id)")
        #expect(tail.executions.map(\.id) == succeeded.suffix(19).map(\.id))
        #expect(tail.next == nil)

        // All states (recent) and by job type: newest first.
        #expect(try store.list(limit: 50).executions.map(\.id) == newestFirst.prefix(50).map(\.id))
        #expect(try store.list(job: seeder.job, limit: 50).executions.map(\.id) == newestFirst.prefix(50).map(\.id))
        let failedOfJob = try store.list(state: .failed, job: seeder.job, limit: 50)
        #expect(failedOfJob.executions.map(\.id) == newestFirst.filter { $0.state == .failed }.prefix(50).map(\.id))

        // One execution anywhere in the range reads back whole.
        for i in [0, 1, Self.count / 3, Self.count / 2, Self.count - 1] {
            let s = all[i]
            let record = try #require(try store.get(s.id), "execution \(i) of \(Self.count)")
            #expect(record.id == s.id)
            #expect(record.state == s.state)
            #expect(record.created == s.created)
            #expect(record.updated == s.updated)
            #expect(record.job == seeder.job)
            #expect(record.params == ["date": "2026-11-25"])
            #expect(record.attempts.count == 1)
        }

        try searchFindsTheNewestFailureByErrorText(store, seeder)
    }

    /// The newest failure of the job type whose error mentions a full disk: at once through the
    /// failed index; by the text alone through every execution, one bounded call after another.
    func searchFindsTheNewestFailureByErrorText(_ store: ExecutionStore, _ seeder: ScaleSeeder) throws {
        let failures = seeder.seeded.filter { $0.state == .failed }
        let newer = failures[failures.count / 10].id
        for id in [failures[3].id, newer] {
            _ = try store.redis.send(RedisCommand("HSET", store.keys.exec(id), "error", "No space left on device"))
        }
        let q = try ExecutionQuery.parse(#"failed job:\#(seeder.job) "space left""#, now: 0)
        #expect(try store.search(q, limit: 1).executions.map(\.id) == [newer])
        var cursor: String?, found: [String] = [], examined = 0
        repeat {
            let page = try store.search(ExecutionQuery(text: ["space left"]), limit: 1, before: cursor)
            #expect(page.examined <= ExecutionStore.searchExamineLimit && page.total == Self.count)
            found += page.executions.map(\.id); examined += page.examined; cursor = page.next
        } while found.isEmpty && cursor != nil
        #expect(found == [newer] && examined > Self.count / 2)
    }
}
