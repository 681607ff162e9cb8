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
    let table = state.table
    let rows = state.visibleRows
    TabLine.draw(state, shown: rows.count, total: table.rows.count, into: canvas, row: layout.tabRow)
    if state.openExecution != nil {
        DetailView.draw(state, into: canvas, top: layout.titleRow, bottom: layout.statusRow)
    } else {
        let selection = state.selection(in: rows)
        let first = selection.map { state.firstRow(selection: $0, count: rows.count) } ?? 0
        Panel.draw(table, rows: rows, selection: selection, firstRow: first, sort: state.sort(of: state.view),
                   into: canvas, titleRow: layout.titleRow, top: layout.tableTop, height: layout.tableHeight)
        if rows.isEmpty { drawEmpty(state, table: table, into: canvas, row: layout.tableTop) }
        if let info = layout.infoRow, let i = selection { BreakerLine.draw(state, workerID: rows[i].id, into: canvas, row: info) }
    }
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

/// The line with the view tabs, the filter, and the row count.
enum TabLine {
    static func draw(_ state: ConsoleState, shown: Int, total: Int, into canvas: Canvas, row: Int) {
        var x = 0
        for v in ConsoleView.allCases {
            let label = " \(v.rawValue) \(v.title) "
            canvas.put(row, x, label, v == state.view ? .tabActive : .tab)
            x += TextWidth.width(label) + 1
        }
        var right = shown == total ? "\(total) rows" : "\(shown)/\(total) rows"
        let editing = state.overlay == .filtering
        if editing || !state.filter.isEmpty {
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
            canvas.put(row, 0, "updated \(Format.clock(snap.takenAt, state.timeZone))", .dim)
        }
    }
}

/// Under the workers table: the selected worker's breaker in each gateway.
enum BreakerLine {
    static func draw(_ state: ConsoleState, workerID: String, into canvas: Canvas, row: Int) {
        guard let w = state.snapshot?.workers.first(where: { $0.id == workerID }) else { return }
        var x = 0
        canvas.put(row, x, "Breakers ", .meterLabel)
        x += 9
        if w.breakers.isEmpty { canvas.put(row, x, "no gateway has called this worker yet", .dim); return }
        for b in w.breakers.sorted(by: { $0.gateway < $1.gateway }) {
            let text = "\(b.gateway): "
            canvas.put(row, x, text, .normal)
            x += TextWidth.width(text)
            canvas.put(row, x, b.state, breakerStyle(b.state))
            x += TextWidth.width(b.state)
            let rest = " fail \(Format.percent(b.failureRate)) slow \(Format.percent(b.slowRate)) \(b.calls) calls  "
            canvas.put(row, x, rest, .dim)
            x += TextWidth.width(rest)
        }
    }
}
