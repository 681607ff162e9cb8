import BatchCore
import FleetAPI
import Store

/// What `trigger --wait --json` prints: the gateway's answer, the execution as it ended, and its output tail.
struct WaitedExecution: Encodable {
    var executionId: String
    var state: ExecutionState
    var duplicate: Bool
    var execution: ExecutionRecord?
    var output: [String]
}

extension Commands {
    static func trigger(_ p: ParsedCommand, _ c: ControlContext) throws(ControlError) {
        let job = p.argument("JOB") ?? ""
        let params = try usage { () throws(UsageError) in try p.keyValues("param") }
        let priority = try usage { () throws(UsageError) in try p.int("priority", in: Priority.range) }
        let tail = try usage { () throws(UsageError) in try p.int("lines", in: 0...10_000) } ?? 20
        let key = p.value("idempotency-key")
        let request = BatchExecutionRequest(jobType: job, params: params.mapValues { .string($0) }, idempotencyKey: key,
                                            priority: priority, trigger: Trigger(source: "batchctl", user: c.user))
        let gateway = try c.gateway()
        guard p.flag("wait") else {
            let r = try gateway.call(try GatewayAPI.execute(request))
            printAccepted(r, c, json: p.flag("json"))
            return
        }
        // Follow from the stream's current end, taken before the trigger, so no state change is missed.
        let store = try c.executions()
        let follower = try c.store { () throws(StoreError) in try store.follow(from: store.lastEventID()) }
        defer { follower.close() }
        let r = try gateway.call(try GatewayAPI.execute(request))
        try waitAndReport(r, follower: follower, tail: tail, c, json: p.flag("json"))
    }

    static func printAccepted(_ r: BatchExecutionResponse, _ c: ControlContext, json: Bool) {
        if json { c.out.json(r); return }
        c.out.line(r.duplicate ? "\(r.executionId)  (already triggered with this idempotency key: \(r.state.rawValue))" : r.executionId)
    }

    /// Prints state changes of one execution until it ends, then its output tail;
    /// throws `.failed` unless it succeeded.
    static func waitAndReport(_ r: BatchExecutionResponse, follower: EventFollower, tail: Int, _ c: ControlContext, json: Bool) throws(ControlError) {
        let store = try c.executions()
        let id = r.executionId
        if !json { c.out.line(id) }
        var ended = r.state.isTerminal
        var quiet = 0
        while !ended {
            let events = try c.store { () throws(StoreError) in try follower.next(block: .seconds(1)) }
            let mine = events.filter { $0.executionID == id }
            for e in mine {
                if !json { c.out.line(EventText.stateChange(e, c)) }
                if e.state?.isTerminal == true { ended = true }
            }
            // Events are the signal; the record is the truth if the stream was trimmed under us.
            quiet = mine.isEmpty ? quiet + 1 : 0
            if !ended && quiet >= 5 {
                quiet = 0
                if let rec = try c.store({ () throws(StoreError) in try store.get(id) }), rec.state.isTerminal { ended = true }
            }
        }
        guard let rec = try c.store({ () throws(StoreError) in try store.get(id) }) else {
            throw .failed("execution \(id) vanished before batchctl could read its end (trimmed by retention?)")
        }
        let output = tail > 0 ? try c.store { () throws(StoreError) in try store.logTail(id, lines: tail) } : []
        if json {
            c.out.json(WaitedExecution(executionId: id, state: rec.state, duplicate: r.duplicate, execution: rec, output: output))
        } else {
            if !output.isEmpty {
                c.out.line(c.style.paint("-- output (last \(output.count) lines) --", .dim))
                c.out.lines(output.map(OutputText.clean))
                c.out.line(c.style.paint("--", .dim))
            }
            c.out.line(ExecutionText.summary(rec, c))
        }
        if rec.state != .succeeded {
            throw .failed("execution \(id) \(ExecutionText.outcome(rec)); see 'batchctl status \(id)'")
        }
    }
}

extension ExecutionStore {
    /// The id of the newest event, or `0-0` when the stream is empty: where a follower starts.
    func lastEventID() throws(StoreError) -> String {
        try recentEvents(count: 1).last?.streamID ?? "0-0"
    }
}
