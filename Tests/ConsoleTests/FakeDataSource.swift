import BatchCore
import Console
import Foundation
import Resilience
import Synchronization

/// A data source held in memory, for tests: it records the commands it gets and can
/// be told to fail, as a Redis that went away would.
final class FakeDataSource: ConsoleDataSource {
    struct Recorded: Equatable {
        var triggers: [(String, [String: String])] = []
        var runLaters: [RunLater] = []
        var cancels: [String] = []
        var retries: [String] = []
        var breakers: [String] = []
        var pauses: [String] = []
        var scheduleRuns: [String] = []
        /// `cancel-tagged 2 failed 0`, one for each action on tagged executions.
        var audits: [String] = []
        var snapshots = 0
        static func == (a: Recorded, b: Recorded) -> Bool {
            a.cancels == b.cancels && a.retries == b.retries && a.snapshots == b.snapshots
                && a.breakers == b.breakers && a.pauses == b.pauses && a.scheduleRuns == b.scheduleRuns && a.audits == b.audits && a.runLaters == b.runLaters
                && a.triggers.map(\.0) == b.triggers.map(\.0) && a.triggers.map(\.1) == b.triggers.map(\.1)
        }
    }

    struct FakeError: Error, CustomStringConvertible {
        var description: String
    }

    private let state: Mutex<(snapshot: ConsoleSnapshot, details: [String: ExecutionDetail], jobs: [JobTypeInfo],
                              failure: String?, recorded: Recorded)>

    init(snapshot: ConsoleSnapshot, details: [String: ExecutionDetail] = [:], jobs: [JobTypeInfo] = []) {
        state = Mutex((snapshot, details, jobs, nil, Recorded()))
    }

    /// From now on every call fails with `message` (nil: works again).
    func fail(_ message: String?) { state.withLock { $0.failure = message } }
    func set(snapshot: ConsoleSnapshot) { state.withLock { $0.snapshot = snapshot } }
    var recorded: Recorded { state.withLock { $0.recorded } }

    private func check() throws {
        if let f = state.withLock({ $0.failure }) { throw FakeError(description: f) }
    }

    func snapshot(filter: String?, limit: Int) throws -> ConsoleSnapshot {
        try check()
        return state.withLock { s in
            s.recorded.snapshots += 1
            var snap = s.snapshot
            snap.executions = Array(snap.executions.prefix(limit))
            return snap
        }
    }

    func detail(id: String) throws -> ExecutionDetail {
        try check()
        guard let d = state.withLock({ $0.details[id] }) else { throw FakeError(description: "no execution \(id)") }
        return d
    }

    func jobTypes() throws -> [JobTypeInfo] {
        try check()
        return state.withLock { $0.jobs }
    }

    func trigger(job: String, params: [String: String], runLater: RunLater) throws -> String {
        try check()
        return state.withLock { s in
            s.recorded.triggers.append((job, params))
            s.recorded.runLaters.append(runLater)
            return "01JTRIGGERED0000000000000\(s.recorded.triggers.count)"
        }
    }

    func cancel(id: String) throws {
        try check()
        state.withLock { $0.recorded.cancels.append(id) }
    }

    func retry(id: String) throws -> String {
        try check()
        return state.withLock { s in
            s.recorded.retries.append(id)
            return "01JRETRIED00000000000000\(s.recorded.retries.count)0"
        }
    }

    func auditTagged(action: String, ids: [String], failed: Int) throws {
        try check()
        state.withLock { $0.recorded.audits.append("\(action) \(ids.count) failed \(failed)") }
    }

    /// Recorded as `worker=force-open`.
    func setBreaker(worker: String, _ override: BreakerOverride) throws {
        try check()
        state.withLock { $0.recorded.breakers.append("\(worker)=\(override.rawValue)") }
    }

    /// Recorded as `name=paused` or `name=resumed`.
    func setPaused(schedule: String, _ paused: Bool) throws {
        try check()
        state.withLock { $0.recorded.pauses.append("\(schedule)=\(paused ? "paused" : "resumed")") }
    }

    func triggerSchedule(name: String) throws -> String {
        try check()
        return state.withLock { s in
            s.recorded.scheduleRuns.append(name)
            return "01JSCHEDULED000000000000\(s.recorded.scheduleRuns.count)0"
        }
    }
}
