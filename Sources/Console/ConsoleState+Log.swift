import BatchCore
import Terminal

extension ConsoleState {
    /// The open log view's output as shown: cleaned of tabs, colours and carriage returns.
    var logLines: [String] {
        guard let log = logView, let d = detail, d.row.id == log.id else { return [] }
        return d.outputTail.map(OutputText.clean)
    }

    /// The rows the log view's lines get: the whole screen but its title, status line and function bar.
    var logHeight: Int { max(size.rows - 3, 1) }

    /// `l`: the selected or open execution's whole output, following its end while it runs.
    mutating func openLog() -> HandlerResult {
        guard let e = targetExecution else {
            report(view == .executions ? "no execution selected" : "select an execution in view 1 (or open one) to see its output",
                   isError: true)
            return .redraw
        }
        let fromList = openExecution == nil
        if openExecution != e.id { detail = nil }
        openExecution = e.id
        logView = LogView(id: e.id, fromList: fromList, follow: !e.state.isTerminal)
        return HandlerResult([.handled, .redraw], .openLog(id: e.id))
    }

    /// Keys of the log view; nil hands the key on to the detail view's and the main bindings.
    mutating func handleLog(_ key: Key) -> HandlerResult? {
        guard var log = logView else { return nil }
        defer { if logView != nil { logView = log } }
        let lines = logLines
        let (w, h) = (size.cols, logHeight)
        if let typed = log.typing {
            switch key {
            case .enter:
                log.typing = nil
                log.query = typed
                log.matchLine = nil
                if !typed.isEmpty, !log.findNext(forward: true, including: true, lines, width: w, height: h) {
                    report("no line matches \"\(typed)\"", isError: true)
                }
            case .escape: log.typing = nil
            case .backspace, .delete: log.typing = String(typed.dropLast())
            case .ctrl("u"): log.typing = ""
            case .char(let c): log.typing = typed + String(c)
            case .ctrl("c"), .f(10): return nil
            default: return .ignored
            }
            return .redraw
        }
        switch key {
        case .escape, .char("q"), .char("h"), .left, .backspace:
            closeLog(log)
            return .redraw
        case .up, .char("k"): log.scroll(by: -1, lines, width: w, height: h)
        case .down, .char("j"): log.scroll(by: 1, lines, width: w, height: h)
        case .pageUp, .ctrl("b"): log.scroll(by: -h, lines, width: w, height: h)
        case .pageDown, .ctrl("f"), .char(" "): log.scroll(by: h, lines, width: w, height: h)
        case .home, .char("g"): log.toStart()
        case .end, .char("G"): log.toEnd(lines, width: w, height: h)
        case .char("f"): log.toggleFollow(lines, width: w, height: h)
        case .char("w"): log.toggleWrap(lines, width: w, height: h)
        case .char("/"): log.typing = ""
        case .char("n"), .char("N"):
            guard !log.query.isEmpty else {
                report("no search: / then the text to find", isError: true)
                return .redraw
            }
            if !log.findNext(forward: key == .char("n"), lines, width: w, height: h) {
                report("no line matches \"\(log.query)\"", isError: true)
            }
        case .char("c"), .f(9), .char("r"), .char("t"), .f(5), .char("?"), .f(1), .ctrl("l"), .ctrl("c"), .f(10):
            return nil
        default:
            return .ignored
        }
        return .redraw
    }

    /// Back to where the log view was opened from: the execution's detail, or the list.
    private mutating func closeLog(_ log: LogView) {
        logView = nil
        if log.fromList {
            openExecution = nil
            detail = nil
            outputScroll = 0
        }
    }
}
