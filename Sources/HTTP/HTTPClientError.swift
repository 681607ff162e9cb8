/// Every way a client call can fail; each message names the peer and what happened,
/// so a caller can log it and count it against that peer's circuit breaker.
public enum HTTPClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Nothing accepts connections there (or the name does not resolve).
    case connectionRefused(String)
    /// The peer closed or reset the connection before the response was complete.
    case connectionReset(String)
    /// Connecting or the whole request took longer than allowed.
    case timedOut(String)
    /// The peer answered something that is not HTTP/1.x.
    case malformedResponse(String)
    /// The response is larger than the client accepts.
    case tooLarge(String)
    /// The URL is not `http://host[:port]/path`.
    case invalidURL(String)

    public var description: String {
        switch self {
        case .connectionRefused(let m): return "connection refused: \(m)"
        case .connectionReset(let m): return "connection reset: \(m)"
        case .timedOut(let m): return "timed out: \(m)"
        case .malformedResponse(let m): return "malformed response: \(m)"
        case .tooLarge(let m): return "response too large: \(m)"
        case .invalidURL(let m): return "invalid URL: \(m)"
        }
    }
}

/// The answer to a client request.
public struct HTTPClientResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: Int, headers: HTTPHeaders, body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// The parts of an `http://` URL the client needs.
struct ClientURL: Equatable {
    var host: String
    var port: Int
    /// Path and query, at least "/".
    var target: String

    init(_ url: String) throws {
        guard url.hasPrefix("http://") else {
            throw HTTPClientError.invalidURL("\(url): only http:// URLs are supported")
        }
        let rest = url.dropFirst("http://".count)
        let slash = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[..<slash]
        var path = String(rest[slash...])
        if path.isEmpty { path = "/" } else if path.hasPrefix("?") { path = "/" + path }
        guard !authority.isEmpty, !authority.contains("@") else {
            throw HTTPClientError.invalidURL("\(url): missing host (or credentials in the URL, which are not supported)")
        }
        if let colon = authority.lastIndex(of: ":") {
            guard let port = Int(authority[authority.index(after: colon)...]), (1...65535).contains(port) else {
                throw HTTPClientError.invalidURL("\(url): port must be a number from 1 to 65535")
            }
            host = String(authority[..<colon])
            self.port = port
        } else {
            host = String(authority)
            port = 80
        }
        guard !host.isEmpty, host.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }),
              path.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw HTTPClientError.invalidURL("\(url): host and path must be printable ASCII without spaces (percent-encode the rest)")
        }
        target = path
    }

    var hostPort: String { "\(host):\(port)" }
}
