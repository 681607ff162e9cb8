import BatchCore
import Store

/// Words for executions and events in text output.
enum ExecutionText {
    /// `succeeded in 1.2s`, `failed (exit_code, exit 3) after 4s`.
    static func summary(_ r: ExecutionRecord, _ c: ControlContext) -> String {
        var s = c.style.paint(r.state.rawValue, Style.role(of: r.state.rawValue))
        if let d = detail(r) { s += " (\(d))" }
        if let run = r.runMillis { s += (r.state == .succeeded ? " in " : " after ") + RelativeTime.duration(run) }
        return s
    }

    /// `failed (exit_code, exit 3)`, for error messages.
    static func outcome(_ r: ExecutionRecord) -> String {
        detail(r).map { "\(r.state.rawValue) (\($0))" } ?? r.state.rawValue
    }

    static func detail(_ r: ExecutionRecord) -> String? {
        var parts: [String] = []
        if let reason = r.reason, !reason.isEmpty, r.state != .succeeded { parts.append(reason) }
        if let code = r.exitCode, r.state.isTerminal { parts.append("exit \(code)") }
        if let sig = r.signal { parts.append("signal \(sig)") }
        if let e = r.error, !e.isEmpty, r.state != .succeeded { parts.append(OutputText.clean(e)) }
        return parts.isEmpty ? nil : parts.joined(separator: ", ")
    }

    /// `k=v k2=v2`, sorted; a value comes from a client and is cleaned for the terminal.
    static func params(_ p: [String: String]) -> String {
        p.isEmpty ? "-" : p.sorted { $0.key < $1.key }.map { "\($0.key)=\(OutputText.clean($0.value))" }.joined(separator: " ")
    }
}

/// Output lines as a terminal should see them: escape sequences and control characters
/// other than tab dropped (`TerminalSafe`).
enum OutputText {
    static func clean(_ line: String) -> String { TerminalSafe.text(line) }
}

/// One event as a line of text.
enum EventText {
    /// `13:02:25.120  running     attempt=1 worker=w1`, for `trigger --wait`.
    static func stateChange(_ e: StreamEvent, _ c: ControlContext) -> String {
        let st = e.state?.rawValue ?? e.type
        var line = c.times.clock(e.millis) + "  " + c.style.paint(st, Style.role(of: st))
        let rest = extras(e, skipping: Set([EventField.type, .id, .state, .job].map(\.rawValue)))
        if !rest.isEmpty { line += String(repeating: " ", count: max(1, 12 - st.count)) + rest }
        return line
    }

    /// `13:02:25.120  created     01J...  queued  job=report`, for `events`.
    static func line(_ e: StreamEvent, _ c: ControlContext) -> String {
        let type = e.type.isEmpty ? "?" : e.type
        var skip = Set([EventField.type, .id, .state].map(\.rawValue))
        let subject: String
        if let id = e.executionID { subject = id }
        else if let s = e.fields["schedule"] { subject = "schedule " + s; skip.insert("schedule") }
        else if let w = e[.worker] { subject = "worker " + w; skip.insert(EventField.worker.rawValue) }
        else { subject = "-" }
        var line = c.times.clock(e.millis) + "  " + type.padding(10) + "  " + subject
        // The state, unless the type already says it (`running  ...  running`).
        if let st = e.state?.rawValue, st != type { line += "  " + c.style.paint(st, Style.role(of: st)) }
        let rest = extras(e, skipping: skip)
        if !rest.isEmpty { line += "  " + rest }
        return line
    }

    /// The event's other fields as `k=v`, sorted.
    static func extras(_ e: StreamEvent, skipping: Set<String>) -> String {
        e.fields.filter { !skipping.contains($0.key) && !$0.value.isEmpty }
            .sorted { $0.key < $1.key }
            .map { "\($0.key)=\(OutputText.clean($0.value))" }
            .joined(separator: " ")
    }
}

extension String {
    func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
