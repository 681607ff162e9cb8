import BatchCore
import FleetAPI
import HTTP
import Synchronization

/// What became of one attempt to hand a fire to the gateways.
enum DeliveryResult: Sendable, Equatable {
    /// A gateway admitted it (or recognised it by its idempotency key).
    case delivered(executionId: String, state: String, gateway: String)
    /// A gateway refused it for good (4xx other than 408 and 429): retrying cannot help.
    case rejected(status: Int, reason: String)
    /// No gateway could take it now (connection errors, timeouts, 5xx, 429, none known).
    case unavailable(reason: String)
}

/// POSTs fires to the gateways: a configured list, or the live gateways
/// registered in Redis; one after the other until one answers. Blocking: runs on
/// the delivery threads.
final class GatewayDelivery: Sendable {
    let client: HTTPClient
    /// The bearer token presented to gateways, read at each delivery (a reload may change it).
    let tokenSource: @Sendable () -> String?
    var token: String? { tokenSource() }
    private let gateways = Mutex<[String]>([])
    private let turn = Atomic<Int>(0)

    convenience init(token: String?, client: HTTPClient = HTTPClient(connectTimeout: .seconds(1), requestTimeout: .seconds(5))) {
        self.init(tokenSource: { token }, client: client)
    }

    init(tokenSource: @escaping @Sendable () -> String?,
         client: HTTPClient = HTTPClient(connectTimeout: .seconds(1), requestTimeout: .seconds(5))) {
        self.tokenSource = tokenSource
        self.client = client
    }

    /// Replaces the gateway base URLs (`http://host:port`).
    func setGateways(_ urls: [String]) {
        let clean = urls.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        gateways.withLock { $0 = clean }
    }

    var known: [String] { gateways.withLock { $0 } }

    /// The gateways in the order to try: a different first one each call, to spread the load.
    private func rotation() -> APIClient {
        let all = known
        let start = all.isEmpty ? 0 : turn.wrappingAdd(1, ordering: .relaxed).oldValue % all.count
        let order = all.isEmpty ? [] : Array(all[start...] + all[..<start])
        return APIClient(http: client, bases: order, headers: APIClient.headers(token: token))
    }

    /// Sends `request` to the gateways until one takes or refuses it: a fire carries its
    /// idempotency key, so repeating it on another gateway after a timeout cannot run it twice.
    func deliver(_ request: BatchExecutionRequest) -> DeliveryResult {
        do {
            let answer = try rotation().call(try GatewayAPI.execute(request), failover: .whenNotTaken)
            return .delivered(executionId: answer.value.executionId, state: answer.value.state.rawValue, gateway: answer.base)
        } catch {
            switch error {
            case .noBaseURL:
                return .unavailable(reason: "no live gateway registered in Redis and none in scheduler.gateways")
            case .noneTook(let tried):
                return .unavailable(reason: tried.map(\.description).joined(separator: "; "))
            case .encoding(let m):
                return .rejected(status: 0, reason: m)
            case .failed(_, .refused(let problem), _):
                return .rejected(status: problem.status, reason: Self.reason(problem))
            case .failed:
                // Not reached: .whenNotTaken passes over every other failure.
                return .unavailable(reason: error.description)
            }
        }
    }

    /// Asks a gateway to cancel an execution (`overlap = replace`); true when one answered 2xx or 404/409.
    func cancel(executionId: String) -> Bool {
        let request = APIRequest<Ignored>(GatewayAPI.cancel, path: GatewayAPI.cancel.path(executionId))
        do {
            _ = try rotation().call(request, failover: .exceptAnswers([404, 409]))
            return true
        } catch {
            if case .failed(_, .refused, _) = error { return true }
            return false
        }
    }

    /// The problem document's detail (or title), else the body, kept short.
    static func reason(_ p: Problem) -> String {
        if let d = p.detail ?? p.title { return "http_\(p.status): " + String(d.prefix(200)) }
        return "http_\(p.status)" + (p.text.isEmpty ? "" : ": " + String(p.text.prefix(200)))
    }
}
