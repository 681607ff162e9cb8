import BatchCore
import FoundationEssentials

/// The gateway's HTTP API (DESIGN.md §6): the routes it registers, the problem types it
/// answers with, and the typed requests batchctl, batchtop and the scheduler send.
public enum GatewayAPI {
    public static let execute = Route("POST", "/api/orchestration/execute")
    public static let execution = Route("GET", "/api/orchestration/executions/{id}")
    public static let log = Route("GET", "/api/orchestration/executions/{id}/log")
    public static let executions = Route("GET", "/api/orchestration/executions")
    public static let cancel = Route("POST", "/api/orchestration/executions/{id}/cancel")
    public static let retry = Route("POST", "/api/orchestration/executions/{id}/retry")
    /// Many executions in one request: `{"executions": [...]}`, each as `execute` takes it.
    public static let executeMany = Route("POST", "/api/orchestration/executions:batch")
    /// Pause or resume a job type's dispatch for every gateway (its executions are still accepted).
    public static let pauseJob = Route("POST", "/api/orchestration/jobs/{job}/pause")
    public static let resumeJob = Route("POST", "/api/orchestration/jobs/{job}/resume")
    /// Every route above: the gateway must serve each (a test asks it).
    public static let all = [execute, execution, log, executions, cancel, retry, executeMany, pauseJob, resumeJob]

    /// The most executions one `executeMany` request may carry.
    public static let maxBatch = 1000

    /// Problem types (RFC 9457 `type`) a client can act on; identifiers, not pages to fetch.
    public enum ProblemType {
        /// Redis was not reached, or refused the command unrun: nothing was changed, repeating is safe (503, `Retry-After`).
        public static let redisUnavailable = "https://batch.invalid/problems/redis-unavailable"
        /// The command was sent and no answer came: it may or may not have been applied (504).
        public static let outcomeUnknown = "https://batch.invalid/problems/outcome-unknown"
        /// The idempotency key was used before with another request (409).
        public static let keyReused = "urn:batch:problem:idempotency-key-reused"
        /// A schedule's fire key or a retry's trigger fields, which only the scheduler or the retry endpoint may set (403).
        public static let triggerReserved = "urn:batch:problem:trigger-reserved"
    }

    /// The answer to a cancel.
    public struct CancelAnswer: Codable, Sendable, Equatable {
        public var executionId: String
        public var state: ExecutionState
        /// False when it was already ending or ended (cancel is idempotent).
        public var changed: Bool

        public init(executionId: String, state: ExecutionState, changed: Bool) {
            self.executionId = executionId; self.state = state; self.changed = changed
        }
    }

    /// The answer to a pause or resume of a job type's dispatch.
    public struct JobPauseAnswer: Codable, Sendable, Equatable {
        public var job: String
        public var paused: Bool
        /// False when it already was (both are idempotent).
        public var changed: Bool

        public init(job: String, paused: Bool, changed: Bool) { self.job = job; self.paused = paused; self.changed = changed }
    }

    /// The body of `executeMany`.
    public struct ExecuteManyRequest: Codable, Sendable, Equatable {
        public var executions: [BatchExecutionRequest]
        public init(executions: [BatchExecutionRequest]) { self.executions = executions }
    }

    /// What became of one item of `executeMany`: what `execute` would have answered for it alone.
    public struct ExecuteManyItem: Codable, Sendable, Equatable {
        /// 202 queued (or an idempotency key naming one not yet ended), 200 (a key naming one that
        /// ended), else the refusal's status (400, 403, 409, 413, 429).
        public var status: Int
        public var executionId: String?
        public var state: ExecutionState?
        public var duplicate: Bool?
        /// A refusal's problem type, title, detail and the field at fault.
        public var type: String?
        public var title: String?
        public var detail: String?
        public var field: String?

        public init(status: Int, executionId: String? = nil, state: ExecutionState? = nil, duplicate: Bool? = nil,
                    type: String? = nil, title: String? = nil, detail: String? = nil, field: String? = nil) {
            self.status = status; self.executionId = executionId; self.state = state; self.duplicate = duplicate
            self.type = type; self.title = title; self.detail = detail; self.field = field
        }

        /// Taken (queued now, or named by its idempotency key).
        public var isAccepted: Bool { status == 200 || status == 202 }
    }

    /// The answer to `executeMany`: one result per item, in order.
    public struct ExecuteManyResponse: Codable, Sendable, Equatable {
        public var accepted: Int
        public var refused: Int
        public var results: [ExecuteManyItem]
        public init(results: [ExecuteManyItem]) {
            self.results = results
            accepted = results.filter(\.isAccepted).count
            refused = results.count - accepted
        }
    }

    /// `POST /api/orchestration/executions:batch`.
    public static func executeMany(_ requests: [BatchExecutionRequest]) throws(CallError) -> APIRequest<ExecuteManyResponse> {
        try APIRequest(executeMany, json: ExecuteManyRequest(executions: requests))
    }

    /// `POST /api/orchestration/execute`.
    public static func execute(_ request: BatchExecutionRequest) throws(CallError) -> APIRequest<BatchExecutionResponse> {
        try APIRequest(execute, json: request)
    }

    /// `POST /api/orchestration/executions/{id}/cancel` (idempotent).
    public static func cancel(id: String) -> APIRequest<CancelAnswer> {
        APIRequest(cancel, path: cancel.path(id))
    }

    /// `POST /api/orchestration/executions/{id}/retry`: a new execution from a terminal one.
    public static func retry(id: String) -> APIRequest<BatchExecutionResponse> {
        APIRequest(retry, path: retry.path(id))
    }

    /// `POST /api/orchestration/jobs/{job}/pause` or `.../resume`.
    public static func pauseJob(_ job: String, paused: Bool) -> APIRequest<JobPauseAnswer> {
        let route = paused ? pauseJob : resumeJob
        return APIRequest(route, path: route.path(job))
    }
}
