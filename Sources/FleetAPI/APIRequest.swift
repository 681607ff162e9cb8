import FoundationEssentials
import HTTP

/// One typed call: the route filled in, the body encoded, and the type a 2xx answer decodes to.
public struct APIRequest<Response: Decodable>: Sendable {
    public let route: Route
    /// The path with its parameters (and query), relative to a base URL.
    public let path: String
    public let body: [UInt8]

    public init(_ route: Route, path: String? = nil, body: [UInt8] = []) {
        self.route = route
        self.path = path ?? route.pattern
        self.body = body
    }

    /// A JSON body encoded as every client of this project encodes it: sorted keys, slashes as is.
    public init<B: Encodable>(_ route: Route, path: String? = nil, json: B) throws(CallError) {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do { self.init(route, path: path, body: [UInt8](try e.encode(json))) } catch {
            throw .encoding("cannot encode the body of \(route): \(error)")
        }
    }

    public var method: String { route.method }
}

/// A 2xx answer, decoded.
public struct APIAnswer<Value: Decodable>: Sendable where Value: Sendable {
    public var value: Value
    public var status: Int
    /// The base URL that answered.
    public var base: String
}

/// Why one base URL did not take a call.
public enum CallFailure: Sendable, Equatable, CustomStringConvertible {
    /// The request could not be sent or its answer read.
    case transport(HTTPClientError)
    /// An error answer.
    case refused(Problem)
    /// A 2xx answer whose body is not the expected type.
    case undecodable(status: Int, text: String, error: String)

    public var description: String {
        switch self {
        case .transport(let e): return "\(e)"
        case .refused(let p): return "HTTP \(p.status)"
        case .undecodable(let status, _, _): return "answered \(status) with a body that is not the expected answer"
        }
    }

    /// The request never left: nobody can have acted on it.
    public var notSent: Bool {
        if case .transport(.connectionRefused) = self { return true }
        return false
    }
}

/// How a call failed, with every base URL it tried.
public enum CallError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No base URL to try.
    case noBaseURL
    /// The body could not be encoded (a programmer's error, reported rather than trapped).
    case encoding(String)
    /// A failure that ends the call (one base URL that may have acted, or answered for good);
    /// `before` lists the base URLs passed over first.
    case failed(base: String, CallFailure, before: [Tried])
    /// Every base URL was tried and none took it.
    case noneTook([Tried])

    /// One base URL tried and passed over.
    public struct Tried: Sendable, Equatable, CustomStringConvertible {
        public var base: String
        public var failure: CallFailure
        public var description: String { "\(base): \(failure)" }
    }

    public var description: String {
        switch self {
        case .noBaseURL: return "no base URL to send to"
        case .encoding(let m): return m
        case .failed(let base, let f, _): return "\(base): \(f)"
        case .noneTook(let tried): return tried.map(\.description).joined(separator: "; ")
        }
    }
}

/// Which failures move a call on to the next base URL; any other failure ends it.
public enum Failover: Sendable {
    /// Only a refused connection: the request never left, so no daemon can have acted on it.
    /// For changes that are not safe to repeat (a cancel, a retry, a trigger without idempotency key).
    case whenNotSent
    /// Also timeouts, resets, 408, 429, 5xx and an answer that does not decode: for requests
    /// that are safe to repeat elsewhere (the scheduler's fires carry an idempotency key).
    case whenNotTaken
    /// Every failure but an answer with one of these statuses, which ends the call: for a cancel,
    /// whose 404 or 409 says there is nothing left to cancel.
    case exceptAnswers(Set<Int>)

    /// Whether the call moves on to the next base URL after `f`.
    public func passesOver(_ f: CallFailure) -> Bool {
        switch self {
        case .whenNotSent: return f.notSent
        case .whenNotTaken:
            switch f {
            case .transport, .undecodable: return true
            case .refused(let p): return p.status == 408 || p.status == 429 || p.status >= 500
            }
        case .exceptAnswers(let final):
            if case .refused(let p) = f { return !final.contains(p.status) }
            return true
        }
    }
}

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

/// An answer whose body does not matter.
public struct Ignored: Decodable, Sendable {
    public init() {}
    public init(from decoder: any Decoder) throws {}
}
