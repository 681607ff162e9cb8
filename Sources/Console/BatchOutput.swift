import Foundation
import Terminal

/// Batch mode (`-b`): one snapshot as plain text for scripts, like `top -b`: a summary
/// line, the problems line (`PROBLEMS  …` or `no problems`), then the view's table with every
/// row. No colours, no terminal control, and no value cut short: the lines are as wide as
/// the table needs, `width` or more.
public enum BatchOutput {
    /// How a snapshot is printed: aligned text for people and `awk`, tab-separated values, or
    /// one JSON object a line.
    public enum Form: String, Sendable, CaseIterable {
        case text, tsv, json
    }

    /// One snapshot in `format`: for text, the lines `lines` gives; for TSV, the summary and problems
    /// as `# ` comments, then the header and rows with tabs; for JSON, one line.
    public static func render(_ snapshot: ConsoleSnapshot, format: Form, view: ConsoleView = .executions, filter: String = "",
                              width: Int = 120, timeZone: TimeZone = .current) -> [String] {
        guard format != .text else { return lines(snapshot, view: view, filter: filter, width: width, timeZone: timeZone) }
        let table = Table.make(view, snapshot, zone: timeZone)
        let rows = table.visibleRows(filter: filter, sort: view.defaultSort)
        let (titles, fields) = machineFields(view, table.columns, rows, snapshot, zone: timeZone)
        let problems = Problems(snapshot)
        if format == .tsv {
            let clean = { (v: String) in v.replacingOccurrences(of: "\t", with: " ").replacingOccurrences(of: "\n", with: " ") }
            return ["# " + summary(snapshot, timeZone), "# " + problems.line(width: .max)]
                + ([titles] + fields).map { $0.map(clean).joined(separator: "\t") }
        }
        let m = snapshot.meters
        let object: [String: Any] = [
            "takenAt": Format.isoLocal(snapshot.takenAt, timeZone), "view": view.title.lowercased(),
            "workersUp": m.workersUp, "workersKnown": m.workersKnown, "workersLost": m.workersLost, "queued": m.queueDepth,
            "running": m.running, "slots": m.slots, "throughputPerSecond": m.throughputPerSecond,
            "successRate": m.successRate ?? NSNull(), "p95RunSeconds": m.p95RunSeconds ?? NSNull(),
            "problems": problems.items,
            "rows": fields.map { row in Dictionary(uniqueKeysWithValues: zip(titles.map { $0.lowercased() }, row)) },
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return [String(decoding: data, as: UTF8.self)]
    }

    static func summary(_ snapshot: ConsoleSnapshot, _ timeZone: TimeZone) -> String {
        let m = snapshot.meters
        var summary = "batchtop \(Format.dateTime(snapshot.takenAt, timeZone))"
        summary += "  workers \(m.workersUp)/\(m.workersKnown)" + (m.workersLost > 0 ? " (\(m.workersLost) lost)" : "") + "  queue \(m.queueDepth)  running \(m.running)/\(m.slots)"
        summary += "  throughput \(Format.rate(m.throughputPerSecond))"
        summary += "  success \(m.successRate.map(Format.percent) ?? "-")  p95 \(m.p95RunSeconds.map(Format.duration) ?? "-")"
        return summary
    }

    public static func lines(_ snapshot: ConsoleSnapshot, view: ConsoleView = .executions, filter: String = "",
                             width: Int = 120, timeZone: TimeZone = .current) -> [String] {
        let summary = summary(snapshot, timeZone)
        let table = Table.make(view, snapshot, zone: timeZone)
        let rows = table.visibleRows(filter: filter, sort: view.defaultSort)
        // What is wrong now, in full: a script reads it whatever its width.
        let problems = Problems(snapshot).line(width: .max)
        return [summary, problems] + machineTable(view, table.columns, rows, snapshot, zone: timeZone)
    }

    /// The rows as whitespace-separated fields, one token each, so that `awk '$3 == "failed"'`
    /// means what it says: the executions' STATE alone (its reason in REASON), a progress as
    /// `40%`, times as `2026-11-25T02:00:00` (the local zone), `-` for nothing, no sort marks.
    /// Free text (a cron expression, an event's detail) is the last field.
    static func machineTable(_ view: ConsoleView, _ columns: [Column], _ rows: [TableRow], _ snap: ConsoleSnapshot,
                             zone: TimeZone) -> [String] {
        let (titles, table) = machineFields(view, columns, rows, snap, zone: zone)
        let last = titles.count - 1
        var widths = titles.map(TextWidth.width)
        for r in table { for (j, v) in r.enumerated() where j < widths.count { widths[j] = max(widths[j], TextWidth.width(v)) } }
        func line(_ fields: [String]) -> String {
            fields.enumerated().map { j, v in j == last ? v : TextWidth.pad(v, to: widths[j]) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        return [line(titles)] + table.map(line)
    }

    /// The titles and each row's fields, as `machineTable` prints them, before alignment.
    static func machineFields(_ view: ConsoleView, _ columns: [Column], _ rows: [TableRow], _ snap: ConsoleSnapshot,
                              zone: TimeZone) -> (titles: [String], rows: [[String]]) {
        func text(_ c: CellContent) -> String {
            switch c {
            case .text(let s), .id(let s): return s
            case .progress(let p): return p.map { "\($0)%" } ?? "-"
            }
        }
        var titles = columns.map(\.title)
        var table: [[String]] = rows.map { $0.cells.map(text) }
        switch view {
        case .executions:
            let byID = Dictionary(snap.executions.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            titles.insert("REASON", at: 3)
            for (i, row) in rows.enumerated() {
                guard let e = byID[row.id] else { continue }
                table[i][2] = e.state.rawValue
                table[i].insert(e.reason ?? "-", at: 3)
                table[i][7] = Format.isoLocal(e.created, zone)
            }
        case .schedules:
            let byName = Dictionary(snap.schedules.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            for (i, row) in rows.enumerated() {
                guard let s = byName[row.id] else { continue }
                table[i][3] = s.paused ? "-" : s.nextFire.map { Format.isoLocal($0, zone) } ?? "-"
                table[i][4] = s.lastFire.map { Format.isoLocal($0, zone) } ?? "-"
            }
            // WHEN (a cron expression has spaces) goes last.
            titles.append(titles.remove(at: 2))
            for i in table.indices { table[i].append(table[i].remove(at: 2)) }
        case .workers, .events:
            break
        }
        let last = titles.count - 1
        for i in table.indices {
            for j in table[i].indices {
                let v = table[i][j].trimmingCharacters(in: .whitespaces)
                table[i][j] = v.isEmpty ? "-" : j == last ? v : v.replacingOccurrences(of: " ", with: "_")
            }
        }
        return (titles, table)
    }
}

