import BatchCore
import Foundation
import Resilience
import Schedule
import Store

/// Turns what the store holds into the console's rows. Pure: no Redis, no clock.
enum LiveRows {
    static func date(_ millis: Int64) -> Date { Date(timeIntervalSince1970: Double(millis) / 1000) }

    static func execution(_ r: ExecutionRecord) -> ExecutionRow {
        ExecutionRow(id: r.id, job: r.job, state: r.state, reason: r.reason, attempt: r.attemptsUsed, maxAttempts: r.maxAttempts,
                     worker: r.worker, progress: r.progress, created: date(r.created), started: r.started.map(date),
                     finished: (r.finished ?? r.ended).map(date), error: r.error, due: r.due.map(date))
    }

    static func detail(_ r: ExecutionRecord, log: [String]) -> ExecutionDetail {
        var attempts = r.history.enumerated().map { i, h in
            ExecutionDetail.Attempt(number: h.attempt ?? i + 1, worker: h.worker, finished: h.at.map(date),
                                    outcome: [h.outcome, h.reason].compactMap { $0 }.joined(separator: " "))
        }
        // The attempt in progress (or the last one, when history does not hold it yet).
        if r.attempt > 0, !attempts.contains(where: { $0.number == r.attempt }) {
            let outcome = r.state.isTerminal ? [r.state.rawValue, r.reason].compactMap { $0 }.joined(separator: " ") : nil
            attempts.append(.init(number: r.attempt, worker: r.worker, started: r.started.map(date),
                                  finished: r.state.isTerminal ? (r.finished ?? r.ended).map(date) : nil, outcome: outcome))
        } else if let i = attempts.firstIndex(where: { $0.number == r.attempt }), attempts[i].started == nil {
            attempts[i].started = r.started.map(date)
        }
        var result: String?
        if let v = r.result {
            let enc = JSONEncoder()
            enc.outputFormatting = [.sortedKeys]
            result = (try? enc.encode(v)).map { String(decoding: $0, as: UTF8.self) }
        }
        return ExecutionDetail(row: execution(r), params: r.params, attempts: attempts, outputTail: log, result: result,
                               trigger: trigger(r.trigger), exitCode: r.exitCode)
    }

    /// `schedule nightly-report at 2026-11-25T02:00:00+09:00 by ops`, `batchctl by ops`...
    static func trigger(_ t: Trigger) -> String {
        var s = t.source
        if let n = t.schedule { s += " \(n)" }
        if let f = t.fireTime { s += " at \(f)" }
        if let r = t.retryOf { s += " retry of \(r)" }
        if let u = t.user { s += " by \(u)" }
        return s
    }

    /// A worker's row: its registration, the job types it serves, and every gateway's breaker for it.
    static func worker(_ d: DaemonInfo, jobs: [String], breakers: [BreakerRow]) -> WorkerRow {
        WorkerRow(id: d.id, host: d.host, address: d.address, slots: Int(d[.slots] ?? "") ?? 0,
                  running: Int(d[.running] ?? "") ?? 0, jobTypes: jobs.sorted(), breakers: breakers,
                  lastHeartbeat: date(d.heartbeat), lost: d.lost)
    }

    /// Breakers of every gateway, by worker: gateway id → worker id → `BreakerMetrics` JSON.
    /// Rates come as percent (-1 while too few calls) and become 0...1.
    static func breakers(_ published: [String: [String: String]]) -> [String: [BreakerRow]] {
        let decoder = JSONDecoder()
        var out: [String: [BreakerRow]] = [:]
        for (gateway, workers) in published.sorted(by: { $0.key < $1.key }) {
            for (worker, json) in workers {
                guard let m = try? decoder.decode(BreakerMetrics.self, from: Data(json.utf8)) else { continue }
                out[worker, default: []].append(BreakerRow(gateway: gateway, state: m.state.rawValue,
                                                           failureRate: m.failureRate < 0 ? nil : m.failureRate / 100,
                                                           slowRate: m.slowCallRate < 0 ? nil : m.slowCallRate / 100, calls: m.calls))
            }
        }
        return out
    }

    static func schedules(_ statuses: [String: String], paused: Set<String>) -> [ScheduleRow] {
        statuses.keys.sorted().map { name in
            let s = statuses[name].flatMap(ScheduleStatus.init(json:))
            return ScheduleRow(name: name, job: s?.job ?? "-", expression: s?.trigger ?? "-",
                               nextFire: s?.nextFireMs.map(date), lastFire: s?.lastFireMs.map(date),
                               lastExecution: s?.lastExecution, lastOutcome: s?.lastOutcome,
                               paused: paused.contains(name) || s?.paused == true)
        }
    }

    /// One event: what it is about (an execution, a schedule, a worker) and the rest as `key=value`.
    static func event(_ e: StreamEvent) -> EventRow {
        let subjectKeys = [EventField.id.rawValue, "schedule", EventField.worker.rawValue]
        let subjectKey = subjectKeys.first { key in e.fields[key] != nil }
        let subject = subjectKey.flatMap { e.fields[$0] } ?? ""
        let shown = e.fields.filter { field in field.key != EventField.type.rawValue && field.key != EventField.action.rawValue && field.key != subjectKey && !field.value.isEmpty }
        // The state first, as it is what most events are about.
        let state = EventField.state.rawValue
        let ordered = shown.sorted { ($0.key == state ? 0 : 1, $0.key) < ($1.key == state ? 0 : 1, $1.key) }
        return EventRow(time: date(e.millis), type: e.type, id: subject,
                        text: ordered.map { "\($0.key)=\($0.value)" }.joined(separator: " "),
                        execution: e.executionID.flatMap { ExecutionID.isValid($0) ? $0 : nil }, key: e.streamID)
    }

    /// A job type as the trigger form shows it.
    static func jobType(_ t: JobType) -> JobTypeInfo {
        JobTypeInfo(name: t.name, params: t.params.map { p in
            ParamInfo(name: p.name, required: p.required, defaultValue: p.defaultValue, typeHint: typeHint(p.type), maxLength: p.maxLength)
        }, unique: t.uniqueParams)
    }

    /// The type as declared in a job's configuration (`int 0..3600`, `enum A|B`), which the form checks values against.
    static func typeHint(_ t: ParamType) -> String {
        switch t {
        case .string: return "string"
        case .int(let lo, let hi): return "int \(lo)..\(hi)"
        case .pattern(let p): return "pattern \(p)"
        case .oneOf(let words): return "enum " + words.joined(separator: "|")
        }
    }
}
