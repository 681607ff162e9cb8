import FoundationEssentials
import HTTP

/// Sends typed requests to a list of base URLs (`http://host:port`), one after the other as
/// the failover allows. Blocking: call it from a thread of its own, never the cooperative pool.
public struct APIClient: Sendable {
    public let http: HTTPClient
    /// Base URLs without a trailing slash, in the order tried.
    public let bases: [String]
    /// Sent with every request: `Authorization`, `X-Batch-User`, `X-Batch-Source`.
    public let headers: HTTPHeaders
    /// Bounds each call after connecting; the HTTP client's own when nil.
    public let timeout: Duration?

    public init(http: HTTPClient, bases: [String], headers: HTTPHeaders = [:], timeout: Duration? = nil) {
        self.http = http
        self.bases = bases.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        self.headers = headers
        self.timeout = timeout
    }

    /// Headers with `Authorization: Bearer <token>` when there is a token, and the operator's name.
    public static func headers(token: String?, user: String? = nil, source: String? = nil) -> HTTPHeaders {
        var h: HTTPHeaders = [:]
        if let user { h.set("X-Batch-User", user) }
        if let source { h.set("X-Batch-Source", source) }
        if let token { h.set("Authorization", "Bearer " + token) }
        return h
    }

    /// Sends `request` and decodes its 2xx answer.
    public func call<T: Decodable & Sendable>(_ request: APIRequest<T>, failover: Failover) throws(CallError) -> APIAnswer<T> {
        guard !bases.isEmpty else { throw .noBaseURL }
        var h = headers
        if request.method == "POST" || !request.body.isEmpty, !h.contains("Content-Type") { h.set("Content-Type", "application/json") }
        var tried: [CallError.Tried] = []
        for base in bases {
            let failure: CallFailure
            do {
                let r = try http.request(request.method, base + request.path, headers: h, body: request.body, timeout: timeout)
                if (200..<300).contains(r.status) {
                    if let nothing = Ignored() as? T { return APIAnswer(value: nothing, status: r.status, base: base) }
                    do { return APIAnswer(value: try JSONDecoder().decode(T.self, from: Data(r.body)), status: r.status, base: base) } catch {
                        failure = .undecodable(status: r.status, text: r.text, error: "\(error)")
                    }
                } else {
                    failure = .refused(Problem(r))
                }
            } catch let e as HTTPClientError {
                failure = .transport(e)
            } catch {
                failure = .transport(.malformedResponse("\(error)"))
            }
            guard failover.passesOver(failure) else { throw .failed(base: base, failure, before: tried) }
            tried.append(.init(base: base, failure: failure))
        }
        throw .noneTook(tried)
    }
}
