import BatchCore
import FleetAPI
import Foundation
import Schedule
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
        let params = try usage { () throws(UsageError) in try p.keyValues(Option.param) }
        let priority = try usage { () throws(UsageError) in try p.int(Option.priority, in: Priority.range) }
        let tail = try usage { () throws(UsageError) in try p.int(Option.lines, in: 0...10_000) } ?? 20
        let key = p.value(Option.idempotencyKey)
        let runLater = try runLater(p, c)
        if let file = p.value(Option.paramsFile) {
            guard !p.flag(Option.wait) else { throw usageError(p, "--wait follows one execution; it cannot go with --params-file") }
            try triggerMany(job: job, file: file, params: params, priority: priority, key: key, runLater: runLater, c, json: p.flag(Option.json))
            return
        }
        var request = BatchExecutionRequest(jobType: job, params: params.mapValues { .string($0) }, idempotencyKey: key,
                                            priority: priority, trigger: Trigger(source: "batchctl", user: c.user))
        runLater.apply(to: &request)
        let gateway = try c.gateway()
        guard p.flag(Option.wait) else {
            let r = try gateway.call(try GatewayAPI.execute(request))
            printAccepted(r, c, json: p.flag(Option.json), keyed: key != nil)
            return
        }
        // Follow from the stream's current end, taken before the trigger, so no state change is missed.
        let store = try c.executions()
        let follower = try c.store { () throws(StoreError) in try store.follow(from: store.lastEventID()) }
        defer { follower.close() }
        let r = try gateway.call(try GatewayAPI.execute(request))
        try waitAndReport(r, follower: follower, tail: tail, c, json: p.flag(Option.json))
    }

    /// `--at TIME` or `--in DURATION`: when the execution should run. A time without an offset is
    /// the machine's local time, made absolute here (the gateway takes only times with offsets).
    static func runLater(_ p: ParsedCommand, _ c: ControlContext) throws(ControlError) -> RunLater {
        switch (p.value(Option.at), p.value(Option.runIn)) {
        case (nil, nil): return .now
        case (_?, _?): throw usageError(p, "give --at or --in, not both")
        case (let text?, nil):
            if let ms = RunLater.instant(text) { return .at(ms) }
            do { return .at(try Instant(iso8601: text, zone: c.times.zone).millisecondsSinceEpoch) } catch {
                throw usageError(p, "--at \(text): \(error.description)")
            }
        case (nil, let text?):
            guard let d = ConfigDuration.parse(text) else { throw usageError(p, "--in \(text) is not a duration (15m, 1h30m, 90 for seconds)") }
            return d == .zero ? .now : .after(d.inMilliseconds)
        }
    }

    /// One line of a `--params-file` and what the gateway made of it.
    struct ManyLineJSON: Encodable {
        var line: Int
        var result: GatewayAPI.ExecuteManyItem
    }

    /// `trigger JOB --params-file FILE`: one execution per line, 1,000 to a request
    /// (`POST /api/orchestration/executions:batch`); prints each line's id or refusal and fails
    /// (exit 1) when any was refused. With `--idempotency-key K` line N carries `K-N`, so the same
    /// file sent again queues nothing twice.
    static func triggerMany(job: String, file: String, params: [String: String], priority: Int?, key: String?, runLater: RunLater,
                            _ c: ControlContext, json: Bool) throws(ControlError) {
        let text: String
        if file == "-" {
            text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        } else {
            do { text = try String(contentsOfFile: file, encoding: .utf8) } catch {
                throw .failed("cannot read --params-file \(file): \((error as NSError).localizedDescription)")
            }
        }
        let name = file == "-" ? "stdin" : file
        var requests: [(line: Int, request: BatchExecutionRequest)] = []
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let bytes = Array(line.utf8)
            if let problem = JSONReader.objectProblem(bytes) { throw .failed("\(name):\(i + 1): \(problem); each line is a JSON object of parameters") }
            let own: [String: JSONValue]
            do { own = try JSONDecoder().decode([String: JSONValue].self, from: Data(bytes)) } catch {
                throw .failed("\(name):\(i + 1): not a JSON object of parameters: \(error)")
            }
            var merged = params.mapValues { JSONValue.string($0) }
            merged.merge(own) { _, line in line }
            var request = BatchExecutionRequest(jobType: job, params: merged, idempotencyKey: key.map { "\($0)-\(i + 1)" },
                                                priority: priority, trigger: Trigger(source: "batchctl", user: c.user))
            runLater.apply(to: &request)
            requests.append((i + 1, request))
        }
        guard !requests.isEmpty else { throw .failed("\(name) holds no lines to trigger (blank lines and lines starting with # are passed over)") }
        let gateway = try c.gateway()
        var accepted = 0, refused = 0
        var all: [ManyLineJSON] = []
        try gateway.executeInBatches(requests.map(\.request)) { n, result in
            let line = requests[n].line
            if result.isAccepted { accepted += 1 } else { refused += 1 }
            if json { all.append(ManyLineJSON(line: line, result: result)); return }
            if let id = result.executionId, let state = result.state {
                c.out.line("\(line)\t" + acceptedText(id, duplicate: result.duplicate == true, state: state, keyed: key != nil))
            } else {
                c.out.line("\(line)\t" + c.style.paint("refused (\(result.status)): \(result.detail ?? result.title ?? "")", .bad))
            }
        }
        if json { c.out.json(all) } else { c.out.line("\(accepted) \(runLater == .now ? "queued" : "scheduled"), \(refused) refused") }
        if refused > 0 { throw .failed("\(refused) of \(requests.count) lines of \(name) were refused") }
    }

    static func printAccepted(_ r: BatchExecutionResponse, _ c: ControlContext, json: Bool, keyed: Bool = false) {
        if json { c.out.json(r); return }
        c.out.line(acceptedText(r.executionId, duplicate: r.duplicate, state: r.state, keyed: keyed))
    }

    /// An accepted execution's id, marked when it is one made earlier: named by the request's
    /// idempotency key, or (without a key) the active execution of a unique job type's values.
    static func acceptedText(_ id: String, duplicate: Bool, state: ExecutionState, keyed: Bool) -> String {
        guard duplicate else { return id }
        return keyed ? "\(id)  (already triggered with this idempotency key: \(state.rawValue))"
            : "\(id)  (already active with these values, \(state.rawValue): the job type is unique)"
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
