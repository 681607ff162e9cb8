import BatchCore
import FoundationEssentials
import HTTP

/// The worker's HTTP API (DESIGN.md §6): the routes it registers and the calls a gateway makes.
public enum WorkerAPI {
    /// One dispatch: what DESIGN.md §6 documents, kept for tools and tests; the gateway sends `dispatchBatch`.
    public static let dispatch = Route("POST", "/api/batch/{jobType}")
    /// Many dispatches in one call; one status per execution.
    public static let dispatchBatch = Route("POST", "/api/batch")
    public static let execution = Route("GET", "/api/batch/executions/{id}")
    public static let cancel = Route("POST", "/api/batch/executions/{id}/cancel")
    /// Every route above: the worker must serve each (a test asks it).
    public static let all = [dispatch, dispatchBatch, execution, cancel]

    /// A gateway's calls to one worker, through the gateway's keep-alive client. No failover:
    /// the gateway chooses the worker (its balancer and breakers decide where else to go).
    public struct Client: Sendable {
        public let http: HTTPClient
        /// The bearer token workers require, read at each call (a reload may change it).
        public let token: @Sendable () -> String?

        public init(http: HTTPClient, token: @escaping @Sendable () -> String?) {
            self.http = http
            self.token = token
        }

        /// `POST /api/batch` with an encoded `WorkerDispatchBatch`; the raw answer, since the caller
        /// reads its status per item (and the hot path decodes it without Foundation's decoder).
        public func dispatch(_ batch: [UInt8], to address: String, timeout: Duration) throws -> HTTPClientResponse {
            var headers: HTTPHeaders = ["Content-Type": "application/json"]
            if let t = token() { headers.add("Authorization", "Bearer " + t) }
            return try http.request("POST", address + WorkerAPI.dispatchBatch.pattern, headers: headers, body: batch, timeout: timeout)
        }

        /// `POST /api/batch/executions/{id}/cancel`: stop it now.
        public func cancel(_ id: String, at address: String, timeout: Duration) throws -> HTTPClientResponse {
            var headers: HTTPHeaders = [:]
            if let t = token() { headers.add("Authorization", "Bearer " + t) }
            return try http.request(WorkerAPI.cancel.method, address + WorkerAPI.cancel.path(id), headers: headers, timeout: timeout)
        }
    }
}
