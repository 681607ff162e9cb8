import Terminal

/// The log view, drawn over the whole screen above the status line: a title naming
/// the execution and where the lines shown are, then the lines, cut or wrapped, with
/// the search's matches highlighted.
enum LogScreen {
    static func draw(_ state: ConsoleState, into canvas: Canvas, bottom: Int) {
        guard let log = state.logView else { return }
        let cols = canvas.size.cols
        for y in 0..<max(bottom, 0) { canvas.fill(y, 0, width: cols, " ", .normal) }
        canvas.fillRow(0, .title)
        let lines = state.logLines
        let height = max(bottom - 1, 1)
        let shown = log.window(lines, width: cols, height: height)
        canvas.put(0, 0, title(state, log, lines: lines, shown: shown, height: height), width: cols, .title)
        if let typed = log.typing {
            let prompt = "/" + typed + "_"
            let w = min(TextWidth.width(prompt), max(cols / 2, 1))
            canvas.put(0, cols - w, String(prompt.suffix(w)), .input)
        }
        guard let d = state.detail, d.row.id == log.id else {
            canvas.put(2, 2, state.dataError == nil ? "loading…" : "cannot load this execution yet (see the status line)", .dim)
            return
        }
        if lines.isEmpty { canvas.put(2, 2, "no output yet", .dim) }
        var y = 1
        for line in lines[shown] where y < bottom {
            y = put(line, matches: LogView.matches(of: log.query, in: line), wrap: log.wrap, from: y, bottom: bottom, into: canvas)
        }
    }

    /// `Log 01K… report running  line 40 of 812  follow  wrap  /word 2/5`: the search (the
    /// match at the top of those there are) last, as it is the first to be cut on a narrow screen.
    static func title(_ state: ConsoleState, _ log: LogView, lines: [String], shown: Range<Int>, height: Int) -> String {
        var parts = ["Log \(log.id)"]
        if let e = state.detail?.row, e.id == log.id {
            parts.append(e.job)
            parts.append(e.reason.map { "\(e.state.rawValue) (\($0))" } ?? e.state.rawValue)
        }
        parts.append(lines.isEmpty ? "no lines" : "line \(shown.upperBound) of \(lines.count)")
        if log.follow { parts.append("follow") }
        if log.wrap { parts.append("wrap") }
        if let (n, of) = log.matchPosition(lines, width: state.size.cols, height: height) {
            parts.append("/\(log.query) " + (of == 0 ? "none" : "\(n)/\(of)"))
        }
        return parts.joined(separator: "  ")
    }

    /// Draws one line from row `y`, over several rows when wrapping; returns the next free row.
    static func put(_ line: String, matches: [Range<String.Index>], wrap: Bool, from y: Int, bottom: Int, into canvas: Canvas) -> Int {
        let cols = canvas.size.cols
        var (y, x) = (y, 0)
        var run = ""
        var runStyle = Style.normal
        func flush() {
            if !run.isEmpty { canvas.put(y, x - TextWidth.width(run), run, runStyle) }
            run = ""
        }
        var i = line.startIndex
        while i < line.endIndex {
            let ch = line[i]
            let w = TextWidth.width(of: ch)
            if x + w > cols {
                guard wrap else { break }
                flush()
                y += 1
                x = 0
                if y >= bottom { return y }
            }
            let style: Style = matches.contains { $0.contains(i) } ? .selection : .normal
            if style != runStyle { flush(); runStyle = style }
            run.append(ch)
            x += w
            i = line.index(after: i)
        }
        flush()
        return y + 1
    }
}
