import BatchCore
import Resilience
import Terminal

extension ConsoleState {
    /// Handles one key: the overlay on top takes it first, then the detail view, then
    /// the view's key bindings. Returns what the run loop must do.
    public mutating func handle(_ key: Key) -> HandlerResult {
        if key == .resize { return .redraw }  // the loop has already read the new size
        switch overlay {
        case .filtering: return handleFilter(key)
        case .trigger(var form):
            // The quit keys close the form rather than the console: a half-typed form is
            // not lost to a reflex, and a second press quits from the view.
            if key == .f(10) || key == .ctrl("c") {
                overlay = .none
                report("trigger form closed: nothing was sent")
                return .redraw
            }
            switch form.handle(key) {
            case .editing:
                overlay = .trigger(form)
                return .redraw
            case .cancelled:
                overlay = .none
                return .redraw
            case .submit(let job, let params, let runLater):
                overlay = .none
                report("triggering \(job)…")
                return HandlerResult([.handled, .redraw], .trigger(job: job, params: params, runLater: runLater))
            }
        case .confirm(let dialog):
            switch key == .f(10) || key == .ctrl("c") ? .no : dialog.handle(key) {
            case .waiting: return HandlerResult([.handled])
            case .no:
                overlay = .none
                report("nothing done")
                return .redraw
            case .yes:
                overlay = .none
                if dialog.action.actsOnTagged { tagged = [] }
                if let doing = dialog.action.doing { report(doing) }
                return HandlerResult([.handled, .redraw], dialog.action)
            }
        case .help:
            overlay = .none
            return .redraw
        case .none:
            break
        }
        if logView != nil, let r = handleLog(key) { return r }
        if openExecution != nil, let r = handleDetail(key) { return r }
        guard let command = KeyBindings.command(for: key) else { return .ignored }
        return run(command)
    }

    private mutating func handleFilter(_ key: Key) -> HandlerResult {
        switch key {
        case .enter, .f(10), .ctrl("c"):
            overlay = .none
            return .redraw
        case .escape:
            overlay = .none
            filter = ""
            toTop()
            return .rescan
        case .backspace, .delete:
            guard !filter.isEmpty else { return .redraw }
            filter.removeLast()
            toTop()
            return .rescan
        case .ctrl("u"):
            filter = ""
            toTop()
            return .rescan
        case .char(let c):
            filter.append(c)
            toTop()
            return .rescan
        case .up, .down, .pageUp, .pageDown, .home, .end:
            return run(KeyBindings.command(for: key) ?? .refresh)
        default:
            return .ignored
        }
    }

    /// Keys of the detail view; nil hands the key on to the main bindings.
    private mutating func handleDetail(_ key: Key) -> HandlerResult? {
        switch key {
        case .escape, .char("q"), .left, .backspace, .enter:
            openExecution = nil
            detail = nil
            outputScroll = 0
            return .redraw
        case .up, .char("k"):
            outputScroll += 1
            return .redraw
        case .down, .char("j"):
            outputScroll = max(outputScroll - 1, 0)
            return .redraw
        case .pageUp:
            outputScroll += max(layout.tableHeight / 2, 1)
            return .redraw
        case .pageDown:
            outputScroll = max(outputScroll - max(layout.tableHeight / 2, 1), 0)
            return .redraw
        case .end, .char("G"):
            outputScroll = 0
            return .redraw
        case .char("c"), .f(9), .char("r"), .char("t"), .f(5), .char("?"), .char("h"), .f(1), .ctrl("l"), .ctrl("c"), .f(10), .char("l"):
            return nil
        case .char("1"), .char("2"), .char("3"), .char("4"):
            openExecution = nil
            detail = nil
            return nil
        default:
            return .ignored
        }
    }

    mutating func run(_ command: Command) -> HandlerResult {
        let rows = visibleRows
        let page = max(layout.tableHeight, 1)
        switch command {
        case .up: return move(rows, by: -1)
        case .down: return move(rows, by: 1)
        case .pageUp: return move(rows, by: -page, scrollBy: -page)
        case .pageDown: return move(rows, by: page, scrollBy: page)
        case .top: return move(rows, to: 0)
        case .bottom: return move(rows, to: rows.count - 1)
        case .open: return open(rows)
        case .log: return openLog()
        case .tag, .tagAll, .untag: return tag(command, rows)
        case .trigger:
            if readOnly { return refuse("trigger a job") }
            overlay = .trigger(TriggerForm(jobTypes: jobTypes ?? []))
            return HandlerResult([.handled, .redraw], .loadJobTypes)
        case .cancel: return cancel()
        case .retry: return retry()
        case .breaker(let o): return breaker(o)
        case .pauseSchedule: return pauseSchedule(true)
        case .resumeSchedule: return pauseSchedule(false)
        case .triggerSchedule: return triggerSchedule()
        case .filter:
            overlay = .filtering
            return .redraw
        case .sort:
            let columns = table.columns
            let next = (sort(of: view).column + 1) % max(columns.count, 1)
            sorts[view] = SortOrder(column: next, descending: columns[next].descendingFirst)
            report("sorted by \(columns[next].title)")
            return .redraw
        case .invertSort:
            var s = sort(of: view)
            s.descending.toggle()
            sorts[view] = s
            return .redraw
        case .view(let v):
            view = v
            pinSelection()
            return .redraw
        case .help:
            overlay = .help
            return .redraw
        case .quit: return .quit
        case .refresh: return .rescan
        }
    }

    private mutating func move(_ rows: [TableRow], by delta: Int = 0, to target: Int? = nil, scrollBy: Int = 0) -> HandlerResult {
        guard let current = selection(in: rows) else { return .redraw }
        let i = min(max(target ?? current + delta, 0), rows.count - 1)
        selectedIndex[view] = i
        selectedID[view] = rows[i].id
        let h = layout.tableHeight
        scroll[view] = max(0, min((scroll[view] ?? 0) + scrollBy, max(rows.count - h, 0)))
        scroll[view] = firstRow(selection: i, count: rows.count)
        return .redraw
    }

    private mutating func open(_ rows: [TableRow]) -> HandlerResult {
        guard let i = selection(in: rows) else { return .ignored }
        guard let id = rows[i].execution else {
            report(view == .workers ? "a worker has no detail view; its breakers are on the line below the table"
                                    : "this row names no execution: Enter opens executions only", isError: true)
            return .redraw
        }
        openExecution = id
        detail = nil
        outputScroll = 0
        return HandlerResult([.handled, .redraw], .openExecution(id: id))
    }

    /// `--read-only`: the action is refused, and the status line says so.
    private mutating func refuse(_ what: String) -> HandlerResult {
        report("read-only: batchtop was started with --read-only and does not \(what)", isError: true)
        return .redraw
    }

    private mutating func cancel() -> HandlerResult {
        if readOnly { return refuse("cancel executions") }
        if let asked = askTagged(cancel: true) { return asked }
        guard let e = targetExecution else {
            report(view == .executions ? "no execution selected" : "select an execution in view 1 (or open one) to cancel it", isError: true)
            return .redraw
        }
        if e.state.isTerminal {
            report("\(e.id) already ended (\(e.state.rawValue)): nothing to cancel", isError: true)
            return .redraw
        }
        overlay = .confirm(ConfirmDialog(question: "Cancel \(e.job) execution \(e.id) (\(e.state.rawValue))?",
                                         action: .cancel(id: e.id)))
        return .redraw
    }

    private mutating func retry() -> HandlerResult {
        if readOnly { return refuse("retry executions") }
        if let asked = askTagged(cancel: false) { return asked }
        guard let e = targetExecution else {
            report(view == .executions ? "no execution selected" : "select an execution in view 1 (or open one) to retry it", isError: true)
            return .redraw
        }
        guard e.state.isTerminal else {
            report("\(e.id) is \(e.state.rawValue): only a finished execution can be retried", isError: true)
            return .redraw
        }
        // A retry makes a new execution: asked first, like a cancel, so a second press
        // (or a press meant for another row) does not run the job twice.
        let why = e.reason.map { " \(e.state.rawValue):\($0)" } ?? " \(e.state.rawValue)"
        overlay = .confirm(ConfirmDialog(question: "Retry \(e.job) execution \(e.id) (\(why.dropFirst()))? This starts a new execution.",
                                         action: .retry(id: e.id)))
        return .redraw
    }

    /// Asks before an action on the fleet: refused under `--read-only` (`what`), reported when
    /// nothing fit is selected (`unselected`), else the confirmation made from the target.
    private mutating func confirm<Target>(_ target: Target?, readOnly what: String, unselected: String,
                                          _ dialog: (Target) -> ConfirmDialog) -> HandlerResult {
        if readOnly { return refuse(what) }
        guard let target else {
            report(unselected, isError: true)
            return .redraw
        }
        overlay = .confirm(dialog(target))
        return .redraw
    }

    private mutating func breaker(_ o: BreakerOverride) -> HandlerResult {
        confirm(targetWorker, readOnly: "change breakers",
                unselected: view == .workers ? "no worker selected" : "select a worker in view 2 to change its breaker") { w in
            ConfirmDialog(question: o.question(worker: w.id), action: .breaker(worker: w.id, o))
        }
    }

    private mutating func pauseSchedule(_ paused: Bool) -> HandlerResult {
        let verb = paused ? "pause" : "resume"
        return confirm(targetSchedule, readOnly: "\(verb) schedules",
                       unselected: view == .schedules ? "no schedule selected" : "select a schedule in view 3 to \(verb) it") { s in
            // Asked even when the row already shows the wanted state: a pause from the
            // configuration is not an operator's, and the operator's pause is what this sets.
            let note = s.paused == paused ? (paused ? " It shows as paused already." : " It does not show as paused.") : ""
            return ConfirmDialog(question: "\(paused ? "Pause" : "Resume") schedule \(s.name) for every scheduler?\(note)",
                                 action: .pauseSchedule(name: s.name, paused: paused))
        }
    }

    private mutating func triggerSchedule() -> HandlerResult {
        confirm(targetSchedule, readOnly: "trigger schedules",
                unselected: view == .schedules ? "no schedule selected" : "select a schedule in view 3 to run its job now") { s in
            ConfirmDialog(question: "Run schedule \(s.name)'s job \(s.job) now? This starts a new execution.",
                          action: .triggerSchedule(name: s.name))
        }
    }
}
