import BatchCore
import FleetAPI
import HTTP

/// batchtop's changes to executions go through a gateway's HTTP API (DESIGN.md §6),
/// never straight into Redis: the gateway validates, audits and wakes its dispatchers.
struct LiveGateway: Sendable {
    let client: HTTPClient
    /// The operator, sent as `X-Batch-User` and in the trigger.
    let user: String
    /// Bearer token for mutating endpoints, when the deployment requires one.
    let token: String?
    let timeout: Duration

    static let source = "batchtop"

    var headers: HTTPHeaders { APIClient.headers(token: token, user: user, source: Self.source) }

    /// POST /api/orchestration/execute; the new execution's id.
    func trigger(at gateways: [String], job: String, params: [String: String], runLater: RunLater = .now) throws(ConsoleError) -> String {
        var body = BatchExecutionRequest(jobType: job, params: params.mapValues { JSONValue.string($0) },
                                         trigger: Trigger(source: Self.source, user: user))
        runLater.apply(to: &body)
        return try execute(at: gateways, body)
    }

    /// POST /api/orchestration/execute with a request made elsewhere (a schedule's); the new execution's id.
    func execute(at gateways: [String], _ body: BatchExecutionRequest) throws(ConsoleError) -> String {
        let request: APIRequest<BatchExecutionResponse>
        do { request = try GatewayAPI.execute(body) } catch { throw .gateway("\(error)") }
        return try send(gateways, request, what: "trigger").executionId
    }

    /// POST .../executions/{id}/cancel (idempotent).
    func cancel(at gateways: [String], id: String) throws(ConsoleError) {
        _ = try send(gateways, GatewayAPI.cancel(id: id), what: "cancel")
    }

    /// POST .../executions/{id}/retry; the new execution's id.
    func retry(at gateways: [String], id: String) throws(ConsoleError) -> String {
        try send(gateways, GatewayAPI.retry(id: id), what: "retry").executionId
    }

    /// Sends to the first gateway that answers; only when one cannot be reached at all
    /// is the next tried (an answer, even a refusal, is final: the request may have acted).
    private func send<T: Decodable & Sendable>(_ gateways: [String], _ request: APIRequest<T>, what: String) throws(ConsoleError) -> T {
        let api = APIClient(http: client, bases: gateways, headers: headers, timeout: timeout)
        do {
            return try api.call(request, failover: .whenNotSent).value
        } catch {
            switch error {
            case .noBaseURL:
                throw .gateway("no live gateway is registered in Redis; start batch-gateway or give --gateway URL")
            case .noneTook(let tried):
                throw .gateway("no gateway could be reached (\(tried.map(\.description).joined(separator: "; ")))")
            case .encoding(let m):
                throw .gateway(m)
            case .failed(let base, .transport(let e), _):
                throw .gateway("gateway \(base): \(e)")
            case .failed(let base, .refused(let problem), _):
                throw .gateway(Self.describe(problem, from: base))
            case .failed(_, .undecodable(_, let text, _), _):
                throw .gateway("the gateway accepted the \(what) but its answer is not a \(T.self): \(String(text.prefix(200)))")
            }
        }
    }

    /// `gateway http://…: 503 Service Unavailable: no live worker serves …` from a problem document.
    static func describe(_ p: Problem, from base: String) -> String {
        if p.title != nil || p.detail != nil {
            return "gateway \(base): \(p.status) \([p.title, p.detail].compactMap { $0 }.joined(separator: ": "))"
        }
        return "gateway \(base): HTTP \(p.status)" + (p.text.isEmpty ? "" : ": \(p.text.prefix(200))")
    }
}
