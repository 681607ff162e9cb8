/// An aligned text table that fits a width (80 columns unless told): columns are as
/// wide as their widest cell; when the whole is too wide, the columns marked
/// `flexible` give up width first and their cells end in `…`.
struct TextTable: Sendable {
    struct Column: Sendable {
        var title: String
        /// Right-aligned (numbers, durations).
        var right: Bool
        /// May be shortened to fit the width.
        var flexible: Bool
        /// Narrowest a flexible column becomes.
        var minWidth: Int

        init(_ title: String, right: Bool = false, flexible: Bool = false, minWidth: Int = 6) {
            self.title = title; self.right = right; self.flexible = flexible; self.minWidth = minWidth
        }
    }

    var columns: [Column]
    var rows: [[String]] = []

    init(_ columns: [Column]) { self.columns = columns }

    mutating func add(_ row: [String]) {
        precondition(row.count == columns.count, "a table row needs \(columns.count) cells, got \(row.count)")
        rows.append(row)
    }

    /// The table as lines, without trailing spaces; `style` colours a cell (after padding).
    func render(width: Int = 80, style: (_ row: Int, _ column: Int, _ text: String) -> String = { _, _, t in t }) -> [String] {
        var widths = columns.indices.map { c in
            rows.reduce(columns[c].title.count) { max($0, $1[c].count) }
        }
        let gap = 2
        func total() -> Int { widths.reduce(0, +) + gap * max(0, widths.count - 1) }
        // Shrink the widest flexible column one step at a time, so they end up even.
        while total() > width {
            let candidates = columns.indices.filter { columns[$0].flexible && widths[$0] > max(columns[$0].minWidth, 1) }
            guard let c = candidates.max(by: { widths[$0] < widths[$1] }) else { break }
            widths[c] -= 1
        }
        func line(_ cells: [String], row: Int) -> String {
            var out = ""
            for (c, cell) in cells.enumerated() {
                let text = Self.fit(cell, widths[c])
                let pad = String(repeating: " ", count: widths[c] - text.count)
                let padded = columns[c].right ? pad + style(row, c, text) : style(row, c, text) + pad
                out += (c == 0 ? "" : String(repeating: " ", count: gap)) + padded
            }
            while out.hasSuffix(" ") { out.removeLast() }
            return out
        }
        var out = [line(columns.map(\.title), row: -1)]
        for (i, r) in rows.enumerated() { out.append(line(r, row: i)) }
        return out
    }

    /// `text` cut to `width` characters, ending in `…` when cut.
    static func fit(_ text: String, _ width: Int) -> String {
        if text.count <= width { return text }
        if width <= 1 { return String(text.prefix(width)) }
        return String(text.prefix(width - 1)) + "…"
    }
}
