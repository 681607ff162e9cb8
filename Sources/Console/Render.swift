import Foundation
import Terminal

/// Draws the whole console for a state. Pure: the same state gives the same cells,
/// whatever the canvas is; nothing here reads a clock or the data source.
public func render(_ state: ConsoleState, into canvas: Canvas) {
    canvas.clear()
    let size = canvas.size
    guard size.rows >= 4, size.cols >= 20 else {
        canvas.put(0, 0, "batchtop: the terminal is too small", .error)
        return
    }
    let layout = Layout(size, view: state.view)
    if layout.meterRows > 0 { MeterPanel.draw(state.snapshot?.meters, into: canvas, rows: layout.meterRows) }
    HealthLines.draw(state.snapshot, into: canvas, problemsRow: layout.problemsRow, countsRow: layout.countsRow)
    let table = state.table
    let rows = state.visibleRows
    let selection = state.selection(in: rows)
    let first = selection.map { state.firstRow(selection: $0, count: rows.count) } ?? 0
    let window = rows.isEmpty || state.openExecution != nil ? nil : (first + 1, min(first + layout.tableHeight, rows.count))
    TabLine.draw(state, shown: rows.count, total: table.rows.count, window: window, into: canvas, row: layout.tabRow)
    if state.openExecution != nil {
        DetailView.draw(state, into: canvas, top: layout.titleRow, bottom: layout.statusRow)
    } else {
        Panel.draw(table, rows: rows, selection: selection, firstRow: first, sort: state.sort(of: state.view), tagged: state.tagged,
                   into: canvas, titleRow: layout.titleRow, top: layout.tableTop, height: layout.tableHeight)
        if rows.isEmpty { drawEmpty(state, table: table, into: canvas, row: layout.tableTop) }
        if let info = layout.infoRow, let i = selection { BreakerLine.draw(state, workerID: rows[i].id, into: canvas, row: info) }
    }
    if state.logView != nil { LogScreen.draw(state, into: canvas, bottom: layout.statusRow) }
    StatusLine.draw(state, into: canvas, row: layout.statusRow)
    FunctionBar.draw(state, into: canvas, row: layout.functionRow)
    switch state.overlay {
    case .trigger(let form):
        Overlays.drawTrigger(form, knownTypes: state.jobTypes != nil, into: canvas, top: layout.tabRow, bottom: layout.statusRow)
    case .confirm(let dialog):
        Overlays.drawConfirm(dialog, into: canvas, top: layout.tabRow, bottom: layout.statusRow)
    case .help:
        Overlays.drawHelp(into: canvas, top: 0, bottom: layout.functionRow)
    case .none, .filtering:
        break
    }
}

private func drawEmpty(_ state: ConsoleState, table: Table, into canvas: Canvas, row: Int) {
    let text: String
    if state.snapshot == nil {
        text = state.dataError == nil ? "waiting for the first sample…" : "no data yet"
    } else if !table.rows.isEmpty {
        text = "no \(state.view.title.lowercased()) match \"\(state.filter)\" (Esc in / clears the filter)"
    } else {
        text = "no \(state.view.title.lowercased()) yet"
    }
    canvas.put(row, 1, text, .dim)
}

/// The line with the view tabs, the filter, and where the shown rows are among all.
enum TabLine {
    /// `rows 1–20 of 500 (newest of 51,641)`, shortened until it fits `room` cells.
    static func position(shown: Int, total: Int, window: (Int, Int)?, inStore: Int?, room: Int) -> String {
        let short = shown == total ? "\(Format.count(total)) rows" : "\(Format.count(shown))/\(Format.count(total)) rows"
        guard let (a, b) = window else { return short }
        let span = "rows \(a)–\(b) of \(Format.count(shown))"
        var candidates: [String] = []
        if let n = inStore, n > total {
            candidates.append(span + " (newest \(Format.count(total)) of \(Format.count(n)))")
        }
        if shown != total { candidates.append(span + " (of \(Format.count(total)) loaded)") }
        candidates += [span, short]
        return candidates.first { TextWidth.width($0) <= room } ?? short
    }

    static func draw(_ state: ConsoleState, shown: Int, total: Int, window: (Int, Int)? = nil, into canvas: Canvas, row: Int) {
        var x = 0
        for v in ConsoleView.allCases {
            let label = " \(v.rawValue) \(v.title) "
            canvas.put(row, x, label, v == state.view ? .tabActive : .tab)
            x += TextWidth.width(label) + 1
        }
        let inStore = state.view == .executions && state.filter.isEmpty
            ? state.snapshot.map { $0.meters.countsByState.values.reduce(0, +) } : nil
        let editing = state.overlay == .filtering
        let filtering = editing || !state.filter.isEmpty
        var right = position(shown: shown, total: total, window: window, inStore: inStore,
                             room: canvas.size.cols - x - 2 - (filtering ? 14 : 0))
        if filtering {
            let filterText = "filter: " + state.filter + (editing ? "_" : "")
            let room = canvas.size.cols - x - TextWidth.width(right) - 3
            if room >= 10 {
                canvas.put(row, x + 1, TextWidth.truncate(filterText, to: room), editing ? .input : .stateQueued)
            } else {
                right = filterText
            }
        }
        let w = TextWidth.width(right)
        if canvas.size.cols - w - 1 > x { canvas.put(row, canvas.size.cols - w - 1, right, .dim) }
    }
}

/// The status line: a data error first (the console keeps running and retrying), then
/// the outcome of the last action, else when the data was taken.
enum StatusLine {
    static func draw(_ state: ConsoleState, into canvas: Canvas, row: Int) {
        if let error = state.dataError {
            canvas.fillRow(row, .error)
            canvas.put(row, 0, "data source: \(error) (retrying)", width: canvas.size.cols, .error)
            return
        }
        if let m = state.message {
            canvas.put(row, 0, m.text, width: canvas.size.cols, m.isError ? .stateFailed : .status)
            return
        }
        if let snap = state.snapshot {
            let mode = state.readOnly ? "  read-only: actions are refused" : ""
            canvas.put(row, 0, "updated \(Format.clock(snap.takenAt, state.timeZone))" + mode, .dim)
        }
    }
}

/// Under the workers table: the selected worker's breaker in each gateway.
enum BreakerLine {
    static func draw(_ state: ConsoleState, workerID: String, into canvas: Canvas, row: Int) {
        guard let snap = state.snapshot, let w = snap.workers.first(where: { $0.id == workerID }) else { return }
        var x = 0
        if w.lost {
            let ago = Format.duration(max(0, snap.takenAt.timeIntervalSince(w.lastHeartbeat)))
            canvas.put(row, 0, "Lost: no heartbeat for \(ago) (last at \(Format.clock(w.lastHeartbeat, state.timeZone))), "
                       + "and it did not stop cleanly", width: canvas.size.cols, .stateFailed)
            return
        }
        canvas.put(row, x, "Breakers ", .meterLabel)
        x += 9
        if w.breakers.isEmpty {
            let age = snap.takenAt.timeIntervalSince(w.lastHeartbeat)
            let text = age > 10 ? "no heartbeat for \(Format.duration(age)); no gateway holds a breaker for it"
                                : "no gateway has called this worker yet"
            canvas.put(row, x, text, age > 10 ? .stateFailed : .dim)
            return
        }
        for b in w.breakers.sorted(by: { $0.gateway < $1.gateway }) {
            let text = "\(b.gateway): "
            canvas.put(row, x, text, .normal)
            x += TextWidth.width(text)
            canvas.put(row, x, b.state, breakerStyle(b.state))
            x += TextWidth.width(b.state)
            let rest = " fail \(b.failureRate.map(Format.percent) ?? "-") slow \(b.slowRate.map(Format.percent) ?? "-") \(b.calls) calls  "
            canvas.put(row, x, rest, .dim)
            x += TextWidth.width(rest)
        }
    }
}
