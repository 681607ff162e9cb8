import BatchCore

extension ConsoleAction {
    /// Whether it acts on the tagged executions (their tags go once it is confirmed).
    var actsOnTagged: Bool {
        switch self {
        case .cancelTagged, .retryTagged: return true
        default: return false
        }
    }
}

extension ConsoleState {
    /// The tagged executions among those loaded, in the list's order.
    var taggedExecutions: [ExecutionRow] {
        (snapshot?.executions ?? []).filter { tagged.contains($0.id) }
    }

    /// Space tags (or untags) the selected execution, `a` every execution the filter shows, `u` none.
    mutating func tag(_ command: Command, _ rows: [TableRow]) -> HandlerResult {
        guard view == .executions else {
            report("tags are for executions: view 1", isError: true)
            return .redraw
        }
        switch command {
        case .tag:
            guard let id = selectedRowID else { return .redraw }
            if tagged.remove(id) == nil { tagged.insert(id) }
        case .tagAll: tagged.formUnion(rows.map(\.id))
        default: tagged = []
        }
        report(tagged.isEmpty ? "no execution tagged" : "\(tagged.count) tagged: c cancels, r retries them all; u untags")
        return .redraw
    }

    /// With tags in the list, `c` and `r` ask about every tagged execution they fit, saying how
    /// many (and how many they leave out); nil when nothing is tagged or an execution is open.
    mutating func askTagged(cancel: Bool) -> HandlerResult? {
        guard openExecution == nil, view == .executions, !tagged.isEmpty else { return nil }
        let all = taggedExecutions
        let fit = all.filter { $0.state.isTerminal != cancel }.map(\.id)
        let left = all.count - fit.count
        let why = cancel ? "already ended" : "not finished"
        guard !fit.isEmpty else {
            report("none of the \(all.count) tagged executions can be \(cancel ? "cancelled" : "retried"): all \(why)", isError: true)
            return .redraw
        }
        let noun = fit.count == 1 ? "execution" : "executions"
        let note = left > 0 ? " (\(left) tagged \(left == 1 ? "one is" : "ones are") \(why) and left out.)" : ""
        overlay = .confirm(cancel
            ? ConfirmDialog(question: "Cancel \(fit.count) \(noun)?\(note)", action: .cancelTagged(ids: fit))
            : ConfirmDialog(question: "Retry \(fit.count) \(noun)?\(note) Each starts a new execution.", action: .retryTagged(ids: fit)))
        return .redraw
    }
}
