import Foundation
import Terminal

/// Batch mode (`-b`): one snapshot as plain text for scripts, like `top -b`: a summary
/// line, then the view's table with every row. No colours, no terminal control, and
/// no value cut short: the lines are as wide as the table needs, `width` or more.
public enum BatchOutput {
    public static func lines(_ snapshot: ConsoleSnapshot, view: ConsoleView = .executions, filter: String = "",
                             width: Int = 120, timeZone: TimeZone = .current) -> [String] {
        let m = snapshot.meters
        var summary = "batchtop \(Format.dateTime(snapshot.takenAt, timeZone))"
        summary += "  workers \(m.workersUp)/\(m.workersKnown)  queue \(m.queueDepth)  running \(m.running)/\(m.slots)"
        summary += "  throughput \(Format.rate(m.throughputPerSecond))"
        summary += "  success \(m.successRate.map(Format.percent) ?? "-")  p95 \(m.p95RunSeconds.map(Format.duration) ?? "-")"
        let table = Table.make(view, snapshot, zone: timeZone)
        let rows = table.visibleRows(filter: filter, sort: view.defaultSort)
        // Scripts need whole values (ids above all): never narrower than the table wants.
        let canvas = GridCanvas(rows: rows.count + 1, cols: max(width, table.naturalWidth))
        Panel.draw(table, rows: rows, selection: nil, firstRow: 0, sort: view.defaultSort,
                   into: canvas, titleRow: 0, top: 1, height: rows.count)
        return [summary] + canvas.trimmedLines
    }
}
