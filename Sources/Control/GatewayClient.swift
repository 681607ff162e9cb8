import BatchCore
import Foundation
import HTTP

/// Changes go through a gateway's HTTP API (DESIGN.md §6). A gateway that refuses
/// the connection is skipped for the next live one: a refused connection never
/// delivered the request, so trying again elsewhere cannot apply it twice.
final class GatewayClient {
    let urls: [String]
    /// Found in Redis (not given with `--gateway`), for the hint in messages.
    let discovered: Bool
    let headers: HTTPHeaders
    let client: HTTPClient

    init(urls: [String], discovered: Bool, headers: HTTPHeaders, client: HTTPClient) {
        self.urls = urls; self.discovered = discovered; self.headers = headers; self.client = client
    }

    /// POSTs `body` as JSON and decodes a 2xx answer as `T`.
    func post<B: Encodable, T: Decodable>(_ path: String, _ body: B, as: T.Type) throws(ControlError) -> T {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        let bytes: [UInt8]
        do { bytes = [UInt8](try e.encode(body)) } catch { throw .failed("cannot encode the request to \(path): \(error)") }
        return try decode(try send("POST", path, body: bytes), as: T.self, path: path)
    }

    /// GETs `path` and decodes a 2xx answer as `T`.
    func get<T: Decodable>(_ path: String, as: T.Type) throws(ControlError) -> T {
        try decode(try send("GET", path, body: []), as: T.self, path: path)
    }

    private func decode<T: Decodable>(_ r: HTTPClientResponse, as: T.Type, path: String) throws(ControlError) -> T {
        do { return try JSONDecoder().decode(T.self, from: Data(r.body)) } catch {
            throw .failed("the gateway answered \(path) with a body batchctl does not understand (\(error)); check that batchctl and batch-gateway are the same version")
        }
    }

    /// Sends one request; 2xx comes back, everything else becomes a `ControlError`.
    func send(_ method: String, _ path: String, body: [UInt8]) throws(ControlError) -> HTTPClientResponse {
        var h = headers
        if !body.isEmpty || method == "POST" { h.set("Content-Type", "application/json") }
        var refused: [String] = []
        for base in urls {
            let url = base.hasSuffix("/") ? String(base.dropLast()) + path : base + path
            let r: HTTPClientResponse
            do {
                r = try client.request(method, url, headers: h, body: body)
            } catch let e as HTTPClientError {
                switch e {
                case .connectionRefused:
                    refused.append(base)
                    continue
                case .timedOut, .connectionReset:
                    let maybe = method == "GET" ? "" : " (the change may or may not have been made; check with 'batchctl status')"
                    throw .unavailable("the gateway at \(base) did not answer \(method) \(path): \(e)\(maybe); check batch-gateway or pass --gateway URL")
                case .invalidURL:
                    throw .config("bad gateway URL \(base): \(e); pass --gateway http://HOST:PORT")
                case .malformedResponse, .tooLarge:
                    throw .failed("the gateway at \(base) answered \(method) \(path) with something that is not valid HTTP: \(e)")
                }
            } catch {
                throw .failed("\(method) \(url): \(error)")
            }
            if (200..<300).contains(r.status) { return r }
            throw Self.refusal(r, base: base)
        }
        let hint = discovered ? "the gateways registered in Redis may have just stopped; start batch-gateway or pass --gateway URL"
                              : "start batch-gateway there or pass another --gateway URL"
        throw .unavailable("cannot connect to the gateway at \(refused.joined(separator: ", ")) (connection refused); \(hint)")
    }

    /// Maps an error answer once: the problem's `detail` goes to the operator.
    static func refusal(_ r: HTTPClientResponse, base: String) -> ControlError {
        var detail = r.text.trimmingCharacters(in: .whitespacesAndNewlines)
        if let o = try? JSONDecoder().decode([String: JSONValue].self, from: Data(r.body)) {
            if case .string(let d)? = o["detail"] { detail = d } else if case .string(let t)? = o["title"] { detail = t }
        }
        if detail.isEmpty { detail = "HTTP \(r.status)" }
        switch r.status {
        case 401, 403:
            return .failed("the gateway at \(base) refused the request (\(r.status)): \(detail); pass --token-file FILE or set BATCH_TOKEN_FILE")
        case 503:
            return .unavailable("the gateway at \(base) is unavailable: \(detail)")
        default:
            return .failed(detail)
        }
    }
}
