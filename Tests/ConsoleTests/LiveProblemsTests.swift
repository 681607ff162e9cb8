import BatchCore
import Foundation
import Store
import Testing
import TestSupport
@testable import Console

/// The problems line's numbers as `StoreDataSource` reads them from a real Redis.
@Suite(.blocking) struct LiveProblemsTests {
    @Test func failuresBreakersSchedulesAndTheMissingLeaderAreRead() throws {
        let f = try LiveFixture()
        // Before the seeded queued report, which a claim of `report` would take first.
        _ = try f.run(job: "report", to: AttemptEnd(outcome: .timedOut))
        _ = try f.run(job: "sleep", to: AttemptEnd(outcome: .failed, reason: .exitCode, exitCode: 1))
        try f.seed()
        try f.schedules.publish(statuses: ["hourly": #"{"name":"hourly","job":"sleep","trigger":"cron 0 0 * * * *","lastOutcome":"missed"}"#])
        let source = f.dataSource()
        var snap = try source.snapshot(filter: nil, limit: 100)
        #expect(snap.health.recentFailures == 3)
        #expect(snap.health.recentFailuresByJob == ["sleep": 2, "report": 1])
        #expect(snap.health.schedulerLeader == false)
        #expect(snap.health.oldestQueued != nil)
        #expect(snap.health.endsPerMinute.count == 60 && snap.health.endsPerMinute.last == 4)
        #expect(snap.health.failuresPerMinute.last == 3)
        #expect(Problems(snap).items == ["3 failed/10m (sleep 2, report 1)", "breaker open \(LiveFixture.worker)",
                                         "no scheduler leader", "schedule hourly missed"])

        _ = try f.schedules.lead(id: "scheduler-1", ttlMillis: 30_000)
        snap = try source.snapshot(filter: nil, limit: 100)
        #expect(snap.health.schedulerLeader == true)
        #expect(!Problems(snap).items.contains("no scheduler leader"))
    }

    @Test func theHourIsReadAgainOnlyAfterThirtySeconds() throws {
        let history = HourHistory()
        var reads = 0
        let read = { (_: Int64, minutes: Int) -> [[ExecutionState: Int]] in
            reads += 1
            return Array(repeating: [.succeeded: reads, .failed: 1], count: minutes)
        }
        #expect(history.perMinute(now: 1_000_000, read: read).ends.last == 2)
        #expect(history.perMinute(now: 1_029_999, read: read).ends.last == 2)
        #expect(reads == 1)
        #expect(history.perMinute(now: 1_030_000, read: read).failures.last == 1)
        #expect(reads == 2)
    }
}
