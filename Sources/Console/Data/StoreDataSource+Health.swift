import BatchCore
import Foundation
import Store
import Synchronization

/// The last hour's ends and failures per minute, read at most every `refreshMillis`
/// (Redis time), not on every frame.
final class HourHistory: Sendable {
    static let refreshMillis: Int64 = 30_000
    static let minutes = 60
    private let cached = Mutex<(at: Int64, ends: [Int], failures: [Int])?>(nil)

    func perMinute(now: Int64, read: (Int64, Int) throws -> [[ExecutionState: Int]]) rethrows -> (ends: [Int], failures: [Int]) {
        if let c = cached.withLock({ $0 }), now - c.at < Self.refreshMillis, now >= c.at { return (c.ends, c.failures) }
        let minutes = try read(now, Self.minutes)
        let ends = minutes.map { $0.values.reduce(0, +) }
        let failures = minutes.map { ($0[.failed] ?? 0) + ($0[.timedOut] ?? 0) }
        cached.withLock { $0 = (now, ends, failures) }
        return (ends, failures)
    }
}

extension StoreDataSource {
    /// What the problems line needs beyond the rows: the last ten minutes' failures (counted by
    /// the caller's `endedCounts`, their job types read here from the newest hundred of each
    /// state), whether a scheduler leads, the oldest queued execution, and the hour's sparklines.
    /// Three round trips per refresh, and one more every 30 s for the sparklines.
    func health(now: Int64, lastTen: [ExecutionState: Int]) throws -> ConsoleSnapshot.Health {
        let failed: [ExecutionState] = [.failed, .timedOut]
        var h = ConsoleSnapshot.Health()
        h.recentFailures = failed.reduce(0) { $0 + (lastTen[$1] ?? 0) }
        if h.recentFailures > 0 {
            h.recentFailuresByJob = try executions.endedJobs(failed, since: now - Int64(Problems.failureWindow * 1000))
        }
        h.schedulerLeader = try schedules.leader() != nil
        h.oldestQueued = try executions.oldestQueuedMillis().map(LiveRows.date)
        let hour = try history.perMinute(now: now) { try executions.endedPerMinute(until: $0, minutes: $1) }
        h.endsPerMinute = hour.ends
        h.failuresPerMinute = hour.failures
        return h
    }
}
