import Terminal

/// Draws a view's table: the column titles on one row, then a page of rows with the
/// selected one highlighted across the whole width, and a tagged one's id marked `*`.
enum Panel {
    static func draw(_ table: Table, rows: [TableRow], selection: Int?, firstRow: Int, sort: SortOrder, tagged: Set<String> = [],
                     into canvas: Canvas, titleRow: Int, top: Int, height: Int) {
        let cols = canvas.size.cols
        let widths = table.widths(for: cols)
        canvas.fillRow(titleRow, .title)
        var x = 0
        for (i, col) in table.columns.enumerated() where widths[i] > 0 {
            let marker = i == sort.column ? (sort.descending ? "▼" : "▲") : ""
            let title = col.rightAligned ? TextWidth.padLeft(col.title + marker, to: widths[i]) : col.title + marker
            canvas.put(titleRow, x, title, width: widths[i], .title)
            x += widths[i] + 1
        }
        guard firstRow < rows.count else { return }
        for (offset, row) in rows[firstRow...].prefix(height).enumerated() {
            let y = top + offset
            let selected = firstRow + offset == selection
            if selected { canvas.fillRow(y, .selection) }
            var x = 0
            for (i, col) in table.columns.enumerated() where widths[i] > 0 {
                let style = selected ? .selection : (row.styles[i] ?? .normal)
                drawCell(row.cells[i], col, width: widths[i], style: style, selected: selected, into: canvas, y, x)
                x += widths[i] + 1
            }
            if tagged.contains(row.id), let w = widths.first, w > 1 {
                canvas.put(y, 0, "*" + Format.id(row.id, width: w - 1), width: w, selected ? .selection : .stateQueued)
            }
        }
    }

    private static func drawCell(_ cell: CellContent, _ col: Column, width: Int, style: Style, selected: Bool,
                                 into canvas: Canvas, _ y: Int, _ x: Int) {
        switch cell {
        case .text(let s):
            let text = col.rightAligned ? TextWidth.padLeft(s, to: width) : TextWidth.truncate(s, to: width, ellipsis: true)
            canvas.put(y, x, text, width: width, style)
        case .id(let s):
            canvas.put(y, x, Format.id(s, width: width), width: width, style)
        case .progress(let p):
            guard let p else { canvas.put(y, x, TextWidth.padLeft("-", to: width), selected ? .selection : .dim); return }
            ProgressBar.draw(percent: p, into: canvas, y, x, width: width, selected: selected)
        }
    }
}

/// A progress bar `[####    ] 45%`, or just `45%` when narrow.
enum ProgressBar {
    static func draw(percent: Int, into canvas: Canvas, _ y: Int, _ x: Int, width: Int, selected: Bool) {
        let p = min(max(percent, 0), 100)
        let label = TextWidth.padLeft("\(p)%", to: 4)
        let barWidth = width - 7  // "[" "]" " " and 4 for the label
        guard barWidth >= 3 else {
            canvas.put(y, x, TextWidth.padLeft(label, to: width), selected ? .selection : .normal)
            return
        }
        let filled = p * barWidth / 100
        canvas.put(y, x, "[", selected ? .selection : .normal)
        canvas.fill(y, x + 1, width: filled, "#", selected ? .selection : .meterBar)
        canvas.fill(y, x + 1 + filled, width: barWidth - filled, " ", selected ? .selection : .normal)
        canvas.put(y, x + 1 + barWidth, "] " + label, selected ? .selection : .normal)
    }
}
