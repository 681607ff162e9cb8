import BatchCore
import FoundationEssentials

/// One attempt of an execution, as kept in its history.
public struct AttemptRecord: Codable, Sendable, Hashable {
    public var attempt: Int?
    public var worker: String?
    public var outcome: String
    public var reason: String?
    /// Redis time, ms.
    public var at: Int64?
    /// The child's exit code, when it exited.
    public var exitCode: Int?
    /// The one-line error of the attempt, when it failed with one.
    public var error: String?

    /// Also the keys of the entries the scripts write (`H.<case>` in Lua).
    enum CodingKeys: String, CodingKey, CaseIterable {
        case attempt, worker, outcome, reason, at, error
        case exitCode = "exit_code"
    }

    public init(attempt: Int?, worker: String?, outcome: String, reason: String?, at: Int64?,
                exitCode: Int? = nil, error: String? = nil) {
        self.attempt = attempt; self.worker = worker; self.outcome = outcome; self.reason = reason; self.at = at
        self.exitCode = exitCode; self.error = error
    }
}

/// An execution as stored in its `exec:<id>` hash.
public struct ExecutionRecord: Codable, Sendable, Hashable {
    public var id: String
    public var job: String
    public var state: ExecutionState
    public var reason: String?
    public var error: String?
    public var attempt: Int
    public var runs: Int
    public var maxAttempts: Int
    public var priority: Int
    public var timeoutSeconds: Int
    public var params: [String: String]
    public var trigger: Trigger
    public var idempotencyKey: String?
    public var worker: String?
    public var gateway: String?
    /// Times in ms since the epoch, from Redis.
    public var created: Int64
    public var updated: Int64?
    public var queued: Int64?
    /// When a scheduled execution is (or was) due to be queued.
    public var due: Int64?
    public var dispatched: Int64?
    public var started: Int64?
    public var ended: Int64?
    public var finished: Int64?
    public var exitCode: Int?
    public var signal: Int?
    public var result: JSONValue?
    public var progress: Int?
    public var dispatchFailures: Int
    public var lost: Int
    public var cancelledBy: String?
    public var history: [AttemptRecord]

    /// Builds a record from a flat field/value reply of `HGETALL`; nil when the
    /// hash is empty or lacks what every execution has.
    public init?(fields: [String: String]) {
        self.init(fields: fields, decoder: JSONDecoder())
    }

    /// The same, with a decoder shared across many records (a page of them).
    init?(fields: [String: String], decoder: JSONDecoder) {
        guard let id = fields[.id], let job = fields[.job],
              let stateRaw = fields[.state], let state = ExecutionState(rawValue: stateRaw) else { return nil }
        self.id = id
        self.job = job
        self.state = state
        reason = fields[.reason]
        error = fields[.error]
        attempt = Int(fields[.attempt] ?? "") ?? 0
        runs = Int(fields[.runs] ?? "") ?? 0
        maxAttempts = Int(fields[.maxAttempts] ?? "") ?? 1
        priority = Int(fields[.priority] ?? "") ?? Priority.default
        timeoutSeconds = Int(fields[.timeout] ?? "") ?? 0
        if let p = fields[.params], let fast = FlatJSON.decode(p) {
            params = fast
        } else if let p = fields[.params], let d = p.data(using: .utf8),
           let decoded = try? decoder.decode([String: String].self, from: d) {
            params = decoded
        } else {
            params = [:]
        }
        trigger = Trigger(source: fields[.source] ?? "api", schedule: fields[.schedule],
                          fireTime: fields[.fireTime], user: fields[.user], retryOf: fields[.retryOf])
        idempotencyKey = fields[.idempotencyKey]
        worker = fields[.worker]
        gateway = fields[.gateway]
        created = Int64(fields[.created] ?? "") ?? 0
        updated = fields[.updated].flatMap { Int64($0) }
        queued = fields[.queued].flatMap { Int64($0) }
        due = fields[.due].flatMap { Int64($0) }
        dispatched = fields[.dispatched].flatMap { Int64($0) }
        started = fields[.started].flatMap { Int64($0) }
        ended = fields[.ended].flatMap { Int64($0) }
        finished = fields[.finished].flatMap { Int64($0) }
        exitCode = fields[.exitCode].flatMap { Int($0) }
        signal = fields[.signal].flatMap { Int($0) }
        if let r = fields[.result], let d = r.data(using: .utf8) {
            result = try? decoder.decode(JSONValue.self, from: d)
        }
        progress = fields[.progress].flatMap { Int($0) }
        dispatchFailures = Int(fields[.dispatchFailures] ?? "") ?? 0
        lost = Int(fields[.lost] ?? "") ?? 0
        cancelledBy = fields[.cancelledBy]
        if let h = fields[.history], let d = h.data(using: .utf8) {
            history = (try? decoder.decode([AttemptRecord].self, from: d)) ?? []
        } else {
            history = []
        }
        // An attempt's figures are its own. The start of an attempt clears what the one
        // before left, but a record written before that rule (or one read between the
        // two) may still hold them: an attempt on its way or running has not ended.
        if state.isLeased {
            ended = nil; finished = nil; exitCode = nil; signal = nil; result = nil
            if state != .cancelling { reason = nil; error = nil }
        } else if !state.isTerminal {
            finished = nil
        }
    }

    /// Run time of the last attempt in ms, when it has started and ended.
    public var runMillis: Int64? {
        guard let s = started else { return nil }
        return (finished ?? ended).map { $0 - s }
    }

    /// The attempt an operator counts: runs started, plus the one being placed on a
    /// worker now. Unlike `attempt` (the fencing number, which failed dispatches
    /// also advance), it never exceeds `maxAttempts` for want of a worker.
    public var attemptsUsed: Int {
        runs + (state == .dispatched ? 1 : 0)
    }

    /// Every attempt: the recorded history, or, for an execution that had a
    /// single attempt (whose history is not stored), that attempt from the record.
    public var attempts: [AttemptRecord] {
        if !history.isEmpty || attempt == 0 { return history }
        return [AttemptRecord(attempt: attempt, worker: worker, outcome: state.rawValue, reason: reason, at: finished ?? updated)]
    }

    /// Time spent waiting in the queue before the last dispatch, in ms.
    public var queueWaitMillis: Int64? {
        guard let q = queued, let d = dispatched, d >= q else { return nil }
        return d - q
    }
}
