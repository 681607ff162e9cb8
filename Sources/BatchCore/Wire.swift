import FoundationEssentials

/// A JSON value, for parameters and results whose shape the core does not fix.
public enum JSONValue: Codable, Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let n):
            if n.rounded() == n, abs(n) < 1e15 { try c.encode(Int64(n)) } else { try c.encode(n) }
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    /// The value as a parameter string: strings as they are, numbers without a
    /// trailing `.0`, booleans as `true`/`false`; nil for null, arrays and objects.
    public var parameterString: String? {
        switch self {
        case .string(let s): return s
        case .bool(let b): return b ? "true" : "false"
        case .number(let n):
            if n.rounded() == n, abs(n) < 1e15 { return String(Int64(n)) }
            return String(n)
        default: return nil
        }
    }
}

/// Where a trigger came from.
public struct Trigger: Codable, Sendable, Hashable {
    /// `api`, `schedule`, `batchctl`, `batchtop`, `retry`.
    public var source: String
    public var schedule: String?
    /// The scheduled instant, ISO 8601 with offset.
    public var fireTime: String?
    public var user: String?
    /// For a retry: the execution this one repeats.
    public var retryOf: String?

    public init(source: String, schedule: String? = nil, fireTime: String? = nil, user: String? = nil, retryOf: String? = nil) {
        self.source = source; self.schedule = schedule; self.fireTime = fireTime; self.user = user; self.retryOf = retryOf
    }
}

/// `POST /api/orchestration/execute` body.
public struct BatchExecutionRequest: Codable, Sendable, Hashable {
    public var jobType: String
    public var params: [String: JSONValue]?
    public var idempotencyKey: String?
    public var priority: Int?
    public var timeoutSeconds: Int?
    public var maxAttempts: Int?
    public var trigger: Trigger?
    /// Run no earlier than this instant: ISO 8601 with an offset (`2026-12-08T02:00:00Z`, `...+01:00`).
    public var notBefore: String?
    /// Run this long after the request, on Redis' clock: a duration as the configuration
    /// writes one (`"90s"`, `"15m"`, `"1h30m"`) or a number of seconds.
    public var delay: JSONValue?

    public init(jobType: String, params: [String: JSONValue]? = nil, idempotencyKey: String? = nil,
                priority: Int? = nil, timeoutSeconds: Int? = nil, maxAttempts: Int? = nil, trigger: Trigger? = nil,
                notBefore: String? = nil, delay: JSONValue? = nil) {
        self.jobType = jobType; self.params = params; self.idempotencyKey = idempotencyKey
        self.priority = priority; self.timeoutSeconds = timeoutSeconds; self.maxAttempts = maxAttempts; self.trigger = trigger
        self.notBefore = notBefore; self.delay = delay
    }
}

/// The gateway's answer to an execute request.
public struct BatchExecutionResponse: Codable, Sendable, Hashable {
    public var executionId: String
    public var state: ExecutionState
    public var duplicate: Bool
    public init(executionId: String, state: ExecutionState, duplicate: Bool) {
        self.executionId = executionId; self.state = state; self.duplicate = duplicate
    }
}

/// What the gateway POSTs to a worker: `POST /api/batch/{jobType}`.
public struct WorkerDispatchRequest: Codable, Sendable, Hashable {
    public var executionId: String
    public var attempt: Int
    public var params: [String: String]
    public var timeoutSeconds: Int
    public var leaseMs: Int
    public init(executionId: String, attempt: Int, params: [String: String], timeoutSeconds: Int, leaseMs: Int) {
        self.executionId = executionId; self.attempt = attempt; self.params = params
        self.timeoutSeconds = timeoutSeconds; self.leaseMs = leaseMs
    }
}

/// Many dispatches in one call: what the gateway POSTs to a worker's `POST /api/batch`.
public struct WorkerDispatchBatch: Codable, Sendable, Hashable {
    public var dispatches: [WorkerDispatchItem]
    public init(dispatches: [WorkerDispatchItem]) { self.dispatches = dispatches }
}

/// One dispatch of a batch: a `WorkerDispatchRequest` with its job type.
public struct WorkerDispatchItem: Codable, Sendable, Hashable {
    public var jobType: String
    public var executionId: String
    public var attempt: Int
    public var params: [String: String]
    public var timeoutSeconds: Int
    public var leaseMs: Int
    public init(jobType: String, _ r: WorkerDispatchRequest) {
        self.jobType = jobType; executionId = r.executionId; attempt = r.attempt; params = r.params
        timeoutSeconds = r.timeoutSeconds; leaseMs = r.leaseMs
    }
    public var request: WorkerDispatchRequest {
        WorkerDispatchRequest(executionId: executionId, attempt: attempt, params: params, timeoutSeconds: timeoutSeconds, leaseMs: leaseMs)
    }
}

/// A worker's answer to `POST /api/batch`: one per dispatch, in order.
public struct WorkerDispatchBatchResponse: Codable, Sendable, Hashable {
    public var results: [WorkerDispatchAnswer]
    public init(results: [WorkerDispatchAnswer]) { self.results = results }
}

/// The answer to one dispatch of a batch: `status` is what `POST /api/batch/{jobType}` would
/// have answered: 202 with `state` (`running`; `failed` when its program could not start;
/// `cancelled` when it was cancelled before it ran), or 404, 409, 422, 429, 503 with `detail`.
public struct WorkerDispatchAnswer: Codable, Sendable, Hashable {
    public var executionId: String
    public var status: Int
    public var state: String?
    public var detail: String?
    public init(executionId: String, status: Int, state: String? = nil, detail: String? = nil) {
        self.executionId = executionId; self.status = status; self.state = state; self.detail = detail
    }
}

/// A worker's view of one attempt: its answer to a dispatch and to `GET /api/batch/executions/{id}`.
public struct BatchResult: Codable, Sendable, Hashable {
    public var executionId: String
    public var attempt: Int?
    /// `running`, `succeeded`, `failed`, `timed_out`, `cancelled`.
    public var status: String
    public var startedAt: String?
    public var finishedAt: String?
    public var exitCode: Int?
    public var signal: Int?
    public var reason: String?
    public var progress: Int?
    public var output: [String]?
    public init(executionId: String, attempt: Int? = nil, status: String, startedAt: String? = nil,
                finishedAt: String? = nil, exitCode: Int? = nil, signal: Int? = nil, reason: String? = nil,
                progress: Int? = nil, output: [String]? = nil) {
        self.executionId = executionId; self.attempt = attempt; self.status = status; self.startedAt = startedAt
        self.finishedAt = finishedAt; self.exitCode = exitCode; self.signal = signal; self.reason = reason
        self.progress = progress; self.output = output
    }
}

/// Priorities run from 0 (lowest) to 9 (highest); higher ones are dispatched first.
public enum Priority {
    public static let range = 0...9
    public static let `default` = 5
}
