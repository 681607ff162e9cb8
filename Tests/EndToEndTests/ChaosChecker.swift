import BatchCore
import Foundation
import Glibc
import Store
import Synchronization
import TestSupport

/// The chaos suite's length: `BATCH_CHAOS_SCALE` (default 1, the short run `make check` does;
/// `bench/chaos/run.sh` runs 5) multiplies the work of each scenario and lengthens its faults.
enum Chaos {
    static let scale = max(1, Int(ProcessInfo.processInfo.environment["BATCH_CHAOS_SCALE"] ?? "") ?? 1)
    static var isLong: Bool { scale >= 5 }
}

/// What one scenario's invariants came to, and the line it prints.
struct ChaosVerdict {
    var scenario: String
    var accepted = 0
    var states: [ExecutionState: Int] = [:]
    /// Accepted executions that did not reach a terminal state, or whose terminal state is not
    /// the one terminal event of the stream (none or two): must be empty.
    var lost: [String] = []
    /// Pairs of runs of one execution at the same time, and attempts run twice: must be 0.
    var overlapping = 0
    /// (schedule, fire time) pairs with more than one execution: must be 0.
    var duplicateFires = 0
    /// Fire times of the run's span with no execution at all.
    var missedFires = 0
    /// Lines of the attempt log that did not parse.
    var malformed = 0
    /// From the fault to the moment the scenario's disturbed work was running (or done) again.
    var recoveryMillis: Int64?
    var note = ""

    var line: String {
        let terminal = states.filter { $0.key.isTerminal }.sorted { $0.key.rawValue < $1.key.rawValue }
            .map { "\($0.key.rawValue)=\($0.value)" }.joined(separator: " ")
        return "chaos \(scenario): accepted \(accepted); terminal \(terminal.isEmpty ? "none" : terminal); "
            + "lost \(lost.count); overlapping attempts \(overlapping); duplicate fires \(duplicateFires)"
            + (missedFires > 0 ? "; missed fires \(missedFires)" : "")
            + "; recovery \(recoveryMillis.map { "\($0) ms" } ?? "n/a")"
            + (note.isEmpty ? "" : "; \(note)")
    }

    /// Every invariant held.
    var holds: Bool { lost.isEmpty && overlapping == 0 && duplicateFires == 0 && malformed == 0 }
}

/// The invariants, from what Redis holds and what the job program recorded. Pure functions of
/// their inputs, so that a test can feed them a broken history and see them object.
enum ChaosChecker {
    /// `states`: the state Redis holds for each accepted id (absent: no record at all);
    /// `terminalEvents`: terminal events in the stream per id; `log`: the attempt log, whose
    /// runs without an end are taken to last until `unendedUntil` (when the test saw them dead).
    /// `deaths`: when a run's process was seen dead, by pid (a run without an end lasts until then).
    static func verdict(scenario: String, accepted ids: [String], states: [String: ExecutionState],
                        terminalEvents: [String: Int], log: AttemptLog?, unendedUntil: Int64,
                        deaths: [pid_t: Int64] = [:]) -> ChaosVerdict {
        var v = ChaosVerdict(scenario: scenario)
        v.accepted = ids.count
        for id in ids {
            if let s = states[id] { v.states[s, default: 0] += 1 }
            guard let s = states[id], s.isTerminal, terminalEvents[id] == 1 else { v.lost.append(id); continue }
        }
        if let log {
            v.malformed = log.malformed.count
            for (_, runs) in log.byID {
                for (a, b) in zip(runs, runs.dropFirst()) where b.start <= (a.end ?? deaths[a.pid] ?? unendedUntil) {
                    v.overlapping += 1
                }
                let attempts = runs.map(\.attempt)
                v.overlapping += attempts.count - Set(attempts).count
            }
        }
        return v
    }

    /// (schedule, fire time) pairs that more than one execution claims.
    static func duplicateFires(_ fires: [(schedule: String, fireTime: String)]) -> Int {
        Dictionary(grouping: fires, by: { $0.schedule + "@" + $0.fireTime }).values.filter { $0.count > 1 }.count
    }

    /// Terminal events per execution id.
    static func terminalEvents(_ events: [StreamEvent]) -> [String: Int] {
        var out: [String: Int] = [:]
        for e in events where e.state?.isTerminal == true { out[e.executionID ?? "", default: 0] += 1 }
        return out
    }
}

/// Watches the attempt log and notes when the process of each run without an end was first
/// seen dead (gone, or a zombie), so a killed run's interval ends there and not at the check.
final class DeathWatcher: Sendable {
    private struct State {
        var deaths: [pid_t: Int64] = [:]
        var stop = false
        var stopped = false
    }
    private let state = Mutex(State())

    init(_ logPath: String) {
        Thread { [self] in
            while !state.withLock({ $0.stop }) {
                let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
                let known = state.withLock { $0.deaths }
                var found: [pid_t: Int64] = [:]
                for run in AttemptLog(text: text).runs where run.end == nil && known[run.pid] == nil && !isAlive(run.pid) {
                    found[run.pid] = wallMicros()
                }
                if !found.isEmpty { state.withLock { $0.deaths.merge(found) { a, _ in a } } }
                usleep(5_000)
            }
            state.withLock { $0.stopped = true }
        }.start()
    }

    var deaths: [pid_t: Int64] { state.withLock { $0.deaths } }

    func stop() {
        state.withLock { $0.stop = true }
        _ = waitUntil(timeout: .seconds(5), poll: .milliseconds(5)) { state.withLock { $0.stopped } }
    }
}
