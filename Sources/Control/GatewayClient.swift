import BatchCore
import FleetAPI
import HTTP

/// Changes go through a gateway's HTTP API (DESIGN.md §6), sent by FleetAPI's client. A gateway
/// that refuses the connection is skipped for the next one: a refused connection never
/// delivered the request, so trying again elsewhere cannot apply it twice.
final class GatewayClient {
    let api: APIClient
    /// Found in Redis (not given with `--gateway`), for the hint in messages.
    let discovered: Bool

    init(urls: [String], discovered: Bool, headers: HTTPHeaders, client: HTTPClient) {
        api = APIClient(http: client, bases: urls, headers: headers)
        self.discovered = discovered
    }

    /// Sends `request` and returns its decoded 2xx answer; everything else becomes a `ControlError`.
    func call<T: Decodable & Sendable>(_ request: @autoclosure () throws(CallError) -> APIRequest<T>) throws(ControlError) -> T {
        let r: APIRequest<T>
        do { r = try request() } catch { throw .failed("cannot encode the request: \(error)") }
        do {
            return try api.call(r, failover: .whenNotSent).value
        } catch {
            throw map(error, r.method, r.path)
        }
    }

    /// Sends `requests` to `POST /api/orchestration/executions:batch`, `GatewayAPI.maxBatch` to a
    /// call, in order; `answered` gets each result with the index of its request, a call's worth
    /// at a time (so what was answered is reported even when a later call fails).
    func executeInBatches(_ requests: [BatchExecutionRequest],
                          answered: (Int, GatewayAPI.ExecuteManyItem) -> Void) throws(ControlError) {
        for start in stride(from: 0, to: requests.count, by: GatewayAPI.maxBatch) {
            let end = min(start + GatewayAPI.maxBatch, requests.count)
            let answer = try call(try GatewayAPI.executeMany(Array(requests[start..<end])))
            for (i, result) in zip(start..<end, answer.results) { answered(i, result) }
        }
    }

    /// Maps a failed call once: the problem's `detail` goes to the operator.
    func map(_ error: CallError, _ method: String, _ path: String) -> ControlError {
        switch error {
        case .encoding(let m):
            return .failed(m)
        case .noBaseURL, .noneTook:
            var refused: [String] = []
            if case .noneTook(let tried) = error { refused = tried.map(\.base) }
            let hint = discovered ? "the gateways registered in Redis may have just stopped; start batch-gateway or pass --gateway URL"
                                  : "start batch-gateway there or pass another --gateway URL"
            return .unavailable("cannot connect to the gateway at \(refused.joined(separator: ", ")) (connection refused); \(hint)")
        case .failed(let base, .transport(let e), _):
            switch e {
            case .timedOut, .connectionReset, .connectionRefused:
                let maybe = method == "GET" ? "" : " (the change may or may not have been made; check with 'batchctl status')"
                return .unavailable("the gateway at \(base) did not answer \(method) \(path): \(e)\(maybe); check batch-gateway or pass --gateway URL")
            case .invalidURL:
                return .config("bad gateway URL \(base): \(e); pass --gateway http://HOST:PORT")
            case .malformedResponse, .tooLarge:
                return .failed("the gateway at \(base) answered \(method) \(path) with something that is not valid HTTP: \(e)")
            }
        case .failed(_, .undecodable(_, _, let why), _):
            return .failed("the gateway answered \(path) with a body batchctl does not understand (\(why)); check that batchctl and batch-gateway are the same version")
        case .failed(let base, .refused(let problem), _):
            return Self.refusal(problem, base: base)
        }
    }

    /// An error answer as the operator reads it.
    static func refusal(_ p: Problem, base: String) -> ControlError {
        switch p.status {
        case 401, 403:
            return .failed("the gateway at \(base) refused the request (\(p.status)): \(p.message); pass --token-file FILE or set BATCH_TOKEN_FILE")
        case 503:
            return .unavailable("the gateway at \(base) is unavailable: \(p.message)")
        default:
            return .failed(p.message)
        }
    }
}
