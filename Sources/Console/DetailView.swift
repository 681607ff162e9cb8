import Foundation
import Terminal

/// One execution in full: what it is, its progress, parameters, attempts, and the
/// tail of its output in whatever room is left.
enum DetailView {
    static func draw(_ state: ConsoleState, into canvas: Canvas, top: Int, bottom: Int) {
        let cols = canvas.size.cols
        guard let id = state.openExecution else { return }
        canvas.fillRow(top, .title)
        canvas.put(top, 0, "Execution \(id)", width: cols, .title)
        guard let d = state.detail else {
            canvas.put(top + 2, 2, state.dataError == nil ? "loading…" : "cannot load this execution yet (see the status line)", .dim)
            return
        }
        let e = d.row
        let zone = state.timeZone
        let now = state.snapshot?.takenAt ?? e.finished ?? e.started ?? e.created
        var y = top + 1
        func field(_ label: String, _ value: String, _ style: Style = .normal, at x: inout Int) {
            canvas.put(y, x, label, .meterLabel)
            x += TextWidth.width(label) + 1
            canvas.put(y, x, value, style)
            x += TextWidth.width(value) + 2
        }
        var x = 0
        field("Job", e.job, .meterValue, at: &x)
        let stateText = e.reason.map { "\(e.state.rawValue) (\($0))" } ?? e.state.rawValue
        field("State", stateText, stateStyle(e.state), at: &x)
        field("Attempt", "\(e.attempt)/\(e.maxAttempts)", at: &x)
        field("Worker", e.worker ?? "-", at: &x)
        if let code = d.exitCode { field("Exit", "\(code)", at: &x) }
        y += 1; x = 0
        field("Created", Format.dateTime(e.created, zone), at: &x)
        if let due = e.due, e.state == .scheduled || e.started == nil {
            field("Due", Format.dateTime(due, zone) + (e.state == .scheduled ? " (" + Format.countdown(to: due, from: now) + ")" : ""), at: &x)
        }
        field("Started", e.started.map { Format.clock($0, zone) } ?? "-", at: &x)
        field("Finished", e.finished.map { Format.clock($0, zone) } ?? "-", at: &x)
        field("Time", e.duration(at: now).map(Format.duration) ?? "-", at: &x)
        if let t = d.trigger { field("Trigger", t, at: &x) }
        y += 1
        canvas.put(y, 0, "Progress", .meterLabel)
        if let p = e.progress {
            ProgressBar.draw(percent: p, into: canvas, y, 9, width: min(cols - 9, 50), selected: false)
        } else {
            canvas.put(y, 9, "not reported", .dim)
        }
        y += 1
        let params = d.params.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        canvas.put(y, 0, "Params", .meterLabel)
        canvas.put(y, 9, params.isEmpty ? "none" : params.joined(separator: "  "), width: cols - 9, params.isEmpty ? .dim : .normal)
        y += 1
        if let r = d.result {
            canvas.put(y, 0, "Result", .meterLabel)
            canvas.put(y, 9, TextWidth.truncate(r, to: cols - 9, ellipsis: true), .normal)
            y += 1
        }
        // Attempts get at most a third of what is left; the output gets the rest.
        let attemptRows = min(d.attempts.count, max((bottom - y) / 3, 1))
        if !d.attempts.isEmpty {
            for a in d.attempts.suffix(attemptRows) {
                let when = a.started.map { Format.clock($0, zone) } ?? "--:--:--"
                let took = a.started.map { s in Format.duration(max(0, (a.finished ?? now).timeIntervalSince(s))) } ?? "-"
                let line = "#\(a.number)  \(when)  \(TextWidth.pad(took, to: 7))  \(TextWidth.pad(a.worker ?? "-", to: 18))  \(a.outcome ?? "running")"
                canvas.put(y, 0, attemptRows == d.attempts.count || a.number != d.attempts.last?.number ? "Attempt" : "", .meterLabel)
                canvas.put(y, 9, line, width: cols - 9, (a.outcome ?? "").hasPrefix("fail") ? .stateFailed : .normal)
                y += 1
            }
        }
        guard y < bottom else { return }
        let outputHeight = bottom - y - 1
        let scrollBack = min(state.outputScroll, max(d.outputTail.count - outputHeight, 0))
        let end = d.outputTail.count - scrollBack
        let shown = d.outputTail[max(end - max(outputHeight, 0), 0)..<end]
        let heading = scrollBack > 0 ? "Output (\(scrollBack) lines back, End for the latest)" : "Output (last \(d.outputTail.count) lines)"
        canvas.fillRow(y, .title)
        canvas.put(y, 0, heading, .title)
        y += 1
        if shown.isEmpty { canvas.put(y, 2, "no output yet", .dim) }
        for line in shown {
            canvas.put(y, 0, OutputText.clean(line), .normal)
            y += 1
        }
    }
}
