import BatchCore
@testable import Store
import Testing
import TestSupport

/// The bounded reads behind batchtop's problems line and sparklines.
@Suite(.blocking) struct RecentEndsTests {
    @Test func endedJobsCountsTheNewestFailuresOfTheWindowByJobTypeUpToTheLimit() throws {
        let f = try StoreFixture()
        let now = try f.nowMs()
        let old = try f.seed(state: .failed, job: "etl")
        _ = try f.send("ZADD", f.keys.byState("failed"), now - 700_000, old)
        for _ in 0..<3 { try f.seed(state: .failed, job: "etl") }
        try f.seed(state: .timedOut, job: "report")
        try f.seed(state: .succeeded, job: "report")
        #expect(try f.store.endedJobs([.failed, .timedOut], since: now - 600_000) == ["etl": 3, "report": 1])
        #expect(try f.store.endedJobs([.failed, .timedOut], since: now - 600_000, limit: 1) == ["etl": 1, "report": 1])
        #expect(try f.store.endedJobs([.cancelled], since: now - 600_000).isEmpty)
    }

    @Test func endedPerMinuteBucketsEndsByTheMinuteTheyFellInOldestFirst() throws {
        let f = try StoreFixture()
        let now = try f.nowMs()
        let a = try f.seed(state: .succeeded), b = try f.seed(state: .failed), c = try f.seed(state: .succeeded)
        _ = try f.send("ZADD", f.keys.byState("succeeded"), now - 90_000, a)   // the minute before last
        _ = try f.send("ZADD", f.keys.byState("failed"), now - 30_000, b)      // the last minute
        _ = try f.send("ZADD", f.keys.byState("succeeded"), now - 4_000_000, c) // over the hour
        let minutes = try f.store.endedPerMinute(until: now, minutes: 60)
        #expect(minutes.count == 60)
        #expect(minutes[59] == [.succeeded: 0, .failed: 1, .timedOut: 0, .cancelled: 0])
        #expect(minutes[58][.succeeded] == 1)
        #expect(minutes.dropLast(2).allSatisfy { $0.values.allSatisfy { $0 == 0 } })
    }

    @Test func theOldestQueuedAndTheSchedulerLeaderAreReadOrNil() throws {
        let f = try StoreFixture()
        let schedules = ScheduleStore(redis: f.redis, namespace: f.namespace)
        #expect(try f.store.oldestQueuedMillis() == nil)
        #expect(try schedules.leader() == nil)
        let first = try f.seed(state: .queued)
        try f.seed(state: .queued)
        _ = try f.send("ZADD", f.keys.byState("queued"), 1_000, first)
        #expect(try f.store.oldestQueuedMillis() == 1_000)
        _ = try schedules.lead(id: "scheduler-a", ttlMillis: 10_000)
        #expect(try schedules.leader() == "scheduler-a")
    }
}
