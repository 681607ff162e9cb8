import BatchCore
import FleetAPI
import Store

/// One id's outcome in `cancel --json` and `retry --json`.
struct ActionResult: Encodable {
    var executionId: String
    var state: ExecutionState?
    var changed: Bool?
    /// For a retry: the new execution.
    var newExecutionId: String?
    var error: String?
}

/// `status --json`.
struct StatusJSON: Encodable {
    var execution: ExecutionRecord
    var output: [String]
}

/// `list --json`.
struct ListJSON: Encodable {
    var executions: [ExecutionRecord]
    /// Cursor of the next page (`<score>:<id>`, as the gateway's `before`), absent on the last.
    var next: String?
    /// With a query: the executions examined, and those the searched index holds.
    var examined: Int?
    var total: Int?
}

extension Commands {
    static func cancel(_ p: ParsedCommand, _ c: ControlContext) throws(ControlError) {
        try eachID(p, c) { (id, g) throws(ControlError) in
            let a = try g.call(GatewayAPI.cancel(id: id))
            let text: String
            if a.changed { text = a.state == .cancelling ? "cancelling (the worker is stopping it)" : a.state.rawValue }
            else { text = a.state.isTerminal ? "already \(a.state.rawValue): nothing to cancel" : "already \(a.state.rawValue)" }
            return (ActionResult(executionId: id, state: a.state, changed: a.changed), "\(id)  \(c.style.paint(text, Style.role(of: a.state.rawValue)))")
        }
    }

    static func retry(_ p: ParsedCommand, _ c: ControlContext) throws(ControlError) {
        try eachID(p, c) { (id, g) throws(ControlError) in
            let a = try g.call(GatewayAPI.retry(id: id))
            let text = a.duplicate ? "\(id)  already active as \(a.executionId) (\(a.state.rawValue)): the job type is unique"
                : "\(id)  retried as \(a.executionId)"
            return (ActionResult(executionId: id, state: a.state, newExecutionId: a.executionId), text)
        }
    }

    /// Applies an action to every id; one that fails does not stop the others, but
    /// an unreachable gateway stops them all.
    static func eachID(_ p: ParsedCommand, _ c: ControlContext,
                       _ action: (String, GatewayClient) throws(ControlError) -> (ActionResult, String)) throws(ControlError) {
        guard let ids = try targets(p, c) else { return }
        let g = try c.gateway()
        var results: [ActionResult] = []
        var failures: [String] = []
        for id in ids {
            do {
                let (r, text) = try action(id, g)
                results.append(r)
                if !p.flag(Option.json) { c.out.line(text) }
            } catch {
                if case .unavailable = error { throw error }
                let message: String
                if case .failed(let m) = error { message = m } else { message = error.description }
                results.append(ActionResult(executionId: id, error: message))
                failures.append(id)
                if !p.flag(Option.json) { ProcessExit.write("batchctl: \(id): \(message)\n", to: 2) }
            }
        }
        if p.flag(Option.json) { c.out.json(results) }
        if p.value(Option.filter) != nil && !p.flag(Option.json) {
            c.out.line("\(ids.count) executions matched: \(ids.count - failures.count) done, \(failures.count) failed")
        }
        if !failures.isEmpty {
            throw .failed("\(failures.count) of \(ids.count) failed: \(failures.joined(separator: " "))")
        }
    }

    static func status(_ p: ParsedCommand, _ c: ControlContext) throws(ControlError) {
        let id = p.argument("ID") ?? ""
        let store = try c.executions()
        let lines = try usage { () throws(UsageError) in try p.int(Option.lines, in: 0...10_000) } ?? 10
        guard let r = try c.store({ () throws(StoreError) in try store.get(id) }) else { throw notFound(id) }
        let output = lines > 0 ? try c.store { () throws(StoreError) in try store.logTail(id, lines: lines) } : []
        if p.flag(Option.json) { c.out.json(StatusJSON(execution: r, output: output)); return }
        let now = try c.now()
        func at(_ ms: Int64?) -> String? { ms.map { "\(c.times.iso($0))  (\(RelativeTime.ago($0, now: now)))" } }
        var rows: [(String, String?)] = [
            ("id", r.id), ("job", r.job), ("state", ExecutionText.summary(r, c)),
            ("progress", r.progress.map { "\($0)%" }),
            ("params", ExecutionText.params(r.params)),
            ("attempt", "\(r.attempt) of \(r.maxAttempts)" + (r.dispatchFailures > 0 ? ", \(r.dispatchFailures) failed dispatches" : "")),
            ("priority", String(r.priority)),
            ("trigger", [r.trigger.source, r.trigger.schedule.map { "schedule \($0)" }, r.trigger.user.map { "by \($0)" },
                         r.trigger.fireTime.map { "fire \($0)" }].compactMap { $0 }.joined(separator: ", ")),
            ("retry of", r.trigger.retryOf), ("idempotency", r.idempotencyKey),
            ("worker", r.worker), ("created", at(r.created)), ("due", at(r.due)), ("started", at(r.started)),
            ("finished", at(r.finished ?? r.ended)),
            ("queue wait", r.queueWaitMillis.map(RelativeTime.duration)),
            ("cancelled by", r.cancelledBy),
        ]
        if !r.history.isEmpty {
            rows.append(("history", r.history.map { h in
                ["#\(h.attempt.map(String.init) ?? "?")", h.outcome, h.reason, h.exitCode.map { "exit \($0)" }, h.worker.map { "on \($0)" }].compactMap { $0 }.joined(separator: " ")
            }.joined(separator: "; ")))
        }
        // Values that clients wrote (parameters, users, keys, errors) reach the terminal cleaned;
        // the state is painted by this program.
        for (k, v) in rows { if let v, !v.isEmpty { c.out.line(k.padding(13) + (k == "state" ? v : OutputText.clean(v))) } }
        if !output.isEmpty {
            c.out.line(c.style.paint("-- output (last \(output.count) lines) --", .dim))
            c.out.lines(output.map(OutputText.clean))
        }
    }

    static func notFound(_ id: String) -> ControlError {
        if !ExecutionID.isValid(id) {
            return .failed("\"\(id)\" is not an execution id (26 letters and digits, as 'batchctl list' shows)")
        }
        return .failed("no execution \(id) (unknown, or trimmed by retention); see 'batchctl list'")
    }

    static func list(_ p: ParsedCommand, _ c: ControlContext) throws(ControlError) {
        let state = try usage { () throws(UsageError) in try p.choice(Option.state, of: ExecutionState.allCases.map(\.rawValue)) }
            .flatMap(ExecutionState.init(rawValue:))
        let limit = try usage { () throws(UsageError) in try p.int(Option.limit, in: 1...1_000) } ?? 20
        if !p.argumentValues("QUERY").isEmpty { return try listMatches(p, c, state: state, limit: limit) }
        let store = try c.executions()
        let page = try c.store { () throws(StoreError) in try store.list(state: state, job: p.value(Option.job), limit: limit) }
        if p.flag(Option.json) { c.out.json(ListJSON(executions: page.executions, next: page.next)); return }
        if page.executions.isEmpty {
            c.out.line("no executions" + (state.map { " in state \($0.rawValue)" } ?? "") + (p.value(Option.job).map { " of job \($0)" } ?? ""))
            return
        }
        try printExecutions(page.executions, c)
    }

    /// Executions as a table, one a line; nothing for none.
    static func printExecutions(_ executions: [ExecutionRecord], _ c: ControlContext) throws(ControlError) {
        guard !executions.isEmpty else { return }
        let now = try c.now()
        var t = TextTable([.init("ID"), .init("JOB", flexible: true), .init("STATE"), .init("CREATED", right: true),
                           .init("RUN", right: true), .init("WORKER", flexible: true)])
        for r in executions {
            // A scheduled execution's RUN counts down to its due time.
            let run = r.state == .scheduled ? r.due.map { RelativeTime.ago($0, now: now) } ?? "-"
                : r.started.map { RelativeTime.duration((r.finished ?? r.ended ?? now) - $0) } ?? "-"
            t.add([r.id, r.job, r.state.rawValue, RelativeTime.ago(r.created, now: now), run, r.worker ?? "-"])
        }
        c.out.lines(t.render { row, col, text in col == 2 && row >= 0 ? c.style.paint(text, Style.role(of: text)) : text })
    }
}

