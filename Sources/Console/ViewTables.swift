import BatchCore
import Foundation
import Terminal

/// The role a state is drawn in.
func stateStyle(_ s: ExecutionState) -> Style {
    switch s {
    case .scheduled, .queued, .retrying: return .stateQueued
    case .dispatched, .running, .cancelling: return .stateRunning
    case .succeeded: return .stateSucceeded
    case .failed, .timedOut: return .stateFailed
    case .cancelled: return .stateCancelled
    }
}

/// A schedule's last outcome: an execution state, or what the scheduler did instead
/// (`skipped:<why>`, `missed`, `failed:<reason>` when the fire could not be delivered).
func outcomeStyle(_ outcome: String) -> Style {
    if let state = ExecutionState(rawValue: outcome) { return stateStyle(state) }
    if outcome.hasPrefix("failed") { return .stateFailed }
    return .stateQueued
}

func breakerStyle(_ state: String) -> Style {
    switch state {
    case "closed": return .stateSucceeded
    case "half_open": return .stateQueued
    case "open", "forced_open": return .stateFailed
    default: return .dim
    }
}

extension Table {
    /// The table of a view, from a snapshot; ages and durations against its `takenAt`.
    static func make(_ view: ConsoleView, _ snap: ConsoleSnapshot, zone: TimeZone) -> Table {
        switch view {
        case .executions: return executions(snap, zone)
        case .workers: return workers(snap)
        case .schedules: return schedules(snap, zone)
        case .events: return events(snap, zone)
        }
    }

    static func executions(_ snap: ConsoleSnapshot, _ zone: TimeZone) -> Table {
        let columns = [
            Column(title: "ID", width: 26, minWidth: 12, shrinkPriority: 5),
            Column(title: "JOB", width: 16, minWidth: 10, shrinkPriority: 4, grows: true, maxWidth: 32),
            Column(title: "STATE", width: 17, minWidth: 10, shrinkPriority: 3),
            Column(title: "ATT", width: 4, minWidth: 3, rightAligned: true, descendingFirst: true),
            Column(title: "WORKER", width: 18, minWidth: 8, shrinkPriority: 2, droppable: true),
            Column(title: "PROGRESS", width: 12, minWidth: 4, shrinkPriority: 1, descendingFirst: true),
            Column(title: "CREATED", width: 8, minWidth: 8, descendingFirst: true),
            Column(title: "TIME", width: 7, minWidth: 6, rightAligned: true, descendingFirst: true),
        ]
        let rows = snap.executions.map { e -> TableRow in
            let dur = e.duration(at: snap.takenAt)
            let state = e.drawnState(at: snap.takenAt)
            return TableRow(
                id: e.id,
                cells: [.id(e.id), .text(e.job), .text(state), .text("\(e.attempt)/\(e.maxAttempts)"),
                        e.worker.map(CellContent.id) ?? .text("-"), .progress(e.progress), .text(Format.clock(e.created, zone)),
                        .text(dur.map(Format.duration) ?? "-")],
                styles: [nil, nil, stateStyle(e.state), nil, e.worker == nil ? .dim : nil, nil, nil, nil],
                sortKeys: [.text(e.id), .text(e.job), .text(e.state.rawValue), .number(Double(e.attempt)),
                           e.worker.map(SortKey.text) ?? .missing, e.progress.map { .number(Double($0)) } ?? .missing,
                           .number(e.created.timeIntervalSince1970), dur.map(SortKey.number) ?? .missing],
                // What the row shows (the state as drawn, `failed:worker_lost`) and the error text.
                searchText: "\(e.id) \(e.job) \(state) \(e.reason ?? "") \(e.worker ?? "") \(e.error ?? "")".lowercased(),
                execution: e.id)
        }
        return Table(columns: columns, rows: rows)
    }

    static func workers(_ snap: ConsoleSnapshot) -> Table {
        // An address cut short loses its port, the part that tells two workers of a host
        // apart: the column is as wide as the widest address, or gone.
        let address = max(snap.workers.map { TextWidth.width($0.address) }.max() ?? 0, 15)
        let columns = [
            Column(title: "WORKER", width: 22, minWidth: 12, shrinkPriority: 1),
            Column(title: "HOST", width: 14, minWidth: 8, shrinkPriority: 6, droppable: true),
            Column(title: "ADDRESS", width: address, minWidth: address, shrinkPriority: 7, droppable: true),
            Column(title: "RUN", width: 5, minWidth: 5, rightAligned: true, descendingFirst: true),
            Column(title: "BREAKER", width: 11, minWidth: 9),
            Column(title: "FAIL%", width: 6, minWidth: 6, rightAligned: true, descendingFirst: true),
            Column(title: "SLOW%", width: 6, minWidth: 6, rightAligned: true, shrinkPriority: 3, descendingFirst: true, droppable: true),
            Column(title: "CALLS", width: 6, minWidth: 5, rightAligned: true, shrinkPriority: 4, descendingFirst: true, droppable: true),
            Column(title: "BEAT", width: 5, minWidth: 5, rightAligned: true, descendingFirst: true),
            Column(title: "JOB TYPES", width: 12, minWidth: 6, shrinkPriority: 5, grows: true, maxWidth: 48),
        ]
        let rows = snap.workers.map { w -> TableRow in
            let age = max(0, snap.takenAt.timeIntervalSince(w.lastHeartbeat))
            let worst = w.worstBreaker
            let calls = w.breakers.reduce(0) { $0 + $1.calls }
            return TableRow(
                id: w.id,
                cells: [.text(w.id), .text(w.host), .text(w.address), .text(w.lost ? "lost" : "\(w.running)/\(w.slots)"),
                        .text(worst?.state ?? "-"), .text(worst?.failureRate.map(Format.percent) ?? "-"),
                        .text(worst?.slowRate.map(Format.percent) ?? "-"), .text("\(calls)"),
                        .text(Format.duration(age).replacingOccurrences(of: ".0s", with: "s")),
                        .text(w.jobTypes.joined(separator: ","))],
                styles: [w.lost ? .stateFailed : nil, nil, .dim, w.lost ? .stateFailed : nil, worst.map { breakerStyle($0.state) } ?? .dim,
                         (worst?.failureRate ?? 0) > 0 ? .stateFailed : nil, nil, nil, age > 10 ? .stateFailed : nil, nil],
                sortKeys: [.text(w.id), .text(w.host), .text(w.address), .number(Double(w.running)),
                           .text(worst?.state ?? ""), .number(worst?.failureRate ?? -1), .number(worst?.slowRate ?? -1),
                           .number(Double(calls)), .number(age), .text(w.jobTypes.joined(separator: ","))],
                searchText: "\(w.id) \(w.host) \(w.address) \(w.jobTypes.joined(separator: " ")) \(worst?.state ?? "") \(w.lost ? "lost" : "")".lowercased())
        }
        return Table(columns: columns, rows: rows)
    }

    static func schedules(_ snap: ConsoleSnapshot, _ zone: TimeZone) -> Table {
        let columns = [
            Column(title: "SCHEDULE", width: 18, minWidth: 10, shrinkPriority: 2),
            Column(title: "JOB", width: 12, minWidth: 8, shrinkPriority: 3),
            Column(title: "WHEN", width: 18, minWidth: 10, shrinkPriority: 4, grows: true),
            Column(title: "NEXT FIRE", width: 14, minWidth: 14),
            Column(title: "LAST FIRE", width: 14, minWidth: 14, shrinkPriority: 5, droppable: true),
            Column(title: "LAST EXEC", width: 12, minWidth: 8, shrinkPriority: 6, droppable: true),
            Column(title: "OUTCOME", width: 15, minWidth: 9),
            Column(title: "PAUSED", width: 6, minWidth: 6),
        ]
        let rows = snap.schedules.map { s -> TableRow in
            // A paused schedule fires at no time; a countdown reads faster than a date.
            let next = s.paused ? nil : s.nextFire
            return TableRow(
                id: s.name,
                cells: [.text(s.name), .text(s.job), .text(Format.scheduleTrigger(s.expression)),
                        .text(next.map { Format.countdown(to: $0, from: snap.takenAt) } ?? "-"),
                        .text(s.lastFire.map { Format.dateTime($0, zone) } ?? "-"),
                        s.lastExecution.map(CellContent.id) ?? .text("-"),
                        .text(s.lastOutcome ?? "-"), .text(s.paused ? "paused" : "")],
                styles: [nil, nil, nil, s.paused ? .dim : nil, nil, nil, s.lastOutcome.map(outcomeStyle), s.paused ? .stateQueued : nil],
                sortKeys: [.text(s.name), .text(s.job), .text(s.expression),
                           next.map { .number($0.timeIntervalSince1970) } ?? .missing,
                           s.lastFire.map { .number($0.timeIntervalSince1970) } ?? .missing,
                           s.lastExecution.map(SortKey.text) ?? .missing,
                           s.lastOutcome.map(SortKey.text) ?? .missing, .number(s.paused ? 1 : 0)],
                searchText: "\(s.name) \(s.job) \(s.expression) \(s.lastOutcome ?? "") \(s.paused ? "paused" : "")".lowercased(),
                execution: s.lastExecution.flatMap { ExecutionID.isValid($0) ? $0 : nil })
        }
        return Table(columns: columns, rows: rows)
    }

    static func events(_ snap: ConsoleSnapshot, _ zone: TimeZone) -> Table {
        let columns = [
            Column(title: "TIME", width: 8, minWidth: 8, descendingFirst: true),
            Column(title: "EVENT", width: 16, minWidth: 10, shrinkPriority: 2),
            Column(title: "ID", width: 26, minWidth: 12, shrinkPriority: 3),
            Column(title: "DETAIL", width: 20, minWidth: 10, shrinkPriority: 1, grows: true),
        ]
        // An event's stream id is its own; only events without one (tests) fall back to time and position.
        let rows = snap.events.enumerated().map { i, e -> TableRow in
            let failed = e.type.contains("fail") || e.type.contains("timeout") || e.type.contains("lost")
            return TableRow(
                id: e.key ?? "\(e.time.timeIntervalSince1970)-\(i)",
                cells: [.text(Format.clock(e.time, zone)), .text(e.type), .id(e.id), .text(e.text)],
                styles: [nil, failed ? .stateFailed : nil, nil, nil],
                sortKeys: [.number(e.time.timeIntervalSince1970), .text(e.type), .text(e.id), .text(e.text)],
                searchText: "\(e.type) \(e.id) \(e.text)".lowercased(),
                execution: e.execution)
        }
        return Table(columns: columns, rows: rows)
    }
}

extension ConsoleView {
    /// The sort a view starts with: newest executions and events first, workers by
    /// name, schedules by next fire.
    var defaultSort: SortOrder {
        switch self {
        case .executions: return SortOrder(column: 6, descending: true)
        case .workers: return SortOrder(column: 0, descending: false)
        case .schedules: return SortOrder(column: 3, descending: false)
        case .events: return SortOrder(column: 0, descending: true)
        }
    }
}
