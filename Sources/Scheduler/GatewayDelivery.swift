import BatchCore
import Foundation
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

    private var headers: HTTPHeaders {
        var h = HTTPHeaders()
        if let token { h.set("Authorization", "Bearer \(token)") }
        return h
    }

    /// The gateways in the order to try: a different first one each call, to spread the load.
    private func rotation() -> [String] {
        let all = known
        guard !all.isEmpty else { return [] }
        let start = turn.wrappingAdd(1, ordering: .relaxed).oldValue % all.count
        return Array(all[start...] + all[..<start])
    }

    /// Sends `request` to the gateways until one takes or refuses it.
    func deliver(_ request: BatchExecutionRequest) -> DeliveryResult {
        let order = rotation()
        guard !order.isEmpty else {
            return .unavailable(reason: "no live gateway registered in Redis and none in scheduler.gateways")
        }
        var problems: [String] = []
        for base in order {
            let response: HTTPClientResponse
            do {
                response = try client.post(base + "/api/orchestration/execute", json: request, headers: headers)
            } catch {
                problems.append("\(base): \(error)")
                continue
            }
            switch response.status {
            case 200..<300:
                guard let answer = try? JSONDecoder().decode(BatchExecutionResponse.self, from: Data(response.body)) else {
                    problems.append("\(base): answered \(response.status) without an execution id")
                    continue
                }
                return .delivered(executionId: answer.executionId, state: answer.state.rawValue, gateway: base)
            case 408, 429, 500...:
                problems.append("\(base): HTTP \(response.status)")
            default:
                return .rejected(status: response.status, reason: Self.reason(response))
            }
        }
        return .unavailable(reason: problems.joined(separator: "; "))
    }

    /// Asks a gateway to cancel an execution (`overlap = replace`); true when one answered 2xx or 404/409.
    func cancel(executionId: String) -> Bool {
        for base in rotation() {
            guard let r = try? client.request("POST", base + "/api/orchestration/executions/\(executionId)/cancel",
                                              headers: headers) else { continue }
            if (200..<300).contains(r.status) || r.status == 404 || r.status == 409 { return true }
        }
        return false
    }

    /// The problem document's detail (or title), else the body, kept short.
    static func reason(_ r: HTTPClientResponse) -> String {
        if let o = try? JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any] {
            if let d = o["detail"] as? String { return "http_\(r.status): " + String(d.prefix(200)) }
            if let t = o["title"] as? String { return "http_\(r.status): " + String(t.prefix(200)) }
        }
        return "http_\(r.status)" + (r.body.isEmpty ? "" : ": " + String(r.text.prefix(200)))
    }
}
