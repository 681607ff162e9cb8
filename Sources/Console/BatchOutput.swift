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
        let rows = Table.make(view, snapshot, zone: timeZone).visibleRows(filter: filter, sort: view.defaultSort)
        let table = Table.make(view, snapshot, zone: timeZone).fitting(rows)
        // Scripts need whole values (ids above all): never narrower than the table wants.
        let canvas = GridCanvas(rows: rows.count + 1, cols: max(width, table.naturalWidth))
        Panel.draw(table, rows: rows, selection: nil, firstRow: 0, sort: view.defaultSort,
                   into: canvas, titleRow: 0, top: 1, height: rows.count)
        return [summary] + canvas.trimmedLines
    }
}

extension Table {
    /// The table with each column at least as wide as its widest value among `rows`
    /// (and its title with the sort mark), so batch output cuts nothing short.
    func fitting(_ rows: [TableRow]) -> Table {
        var t = self
        for i in t.columns.indices {
            var widest = TextWidth.width(t.columns[i].title) + 1
            for r in rows where i < r.cells.count {
                switch r.cells[i] {
                case .text(let s), .id(let s): widest = max(widest, TextWidth.width(s))
                case .progress: break
                }
            }
            t.columns[i].width = max(t.columns[i].width, widest)
        }
        return t
    }
}
