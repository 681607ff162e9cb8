import FoundationEssentials

/// A complete request as a handler sees it.
public struct HTTPRequest: Sendable {
    public var method: String
    /// The request target as sent: path and query.
    public var target: String
    /// The percent-decoded path, without the query.
    public var path: String
    /// Query parameters, percent-decoded; for a repeated name the last value wins.
    public var query: [String: String]
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Values of the `{name}` segments of the route that matched, percent-decoded.
    public var pathParameters: [String: String]
    /// `host:port` of the peer.
    public var remoteAddress: String
    public var versionMinor: Int

    public init(method: String, target: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [],
                remoteAddress: String = "", versionMinor: Int = 1) {
        self.method = method
        self.target = target
        let (rawPath, rawQuery) = Self.split(target)
        self.path = Self.percentDecode(rawPath, plusIsSpace: false) ?? String(rawPath)
        self.query = Self.parseQuery(rawQuery)
        self.headers = headers
        self.body = body
        self.pathParameters = [:]
        self.remoteAddress = remoteAddress
        self.versionMinor = versionMinor
    }

    /// Decodes the body as JSON; throws `HTTPError` 400 (or 415 for another content type) saying what was wrong.
    /// Throws 415 when the body is declared as something other than JSON.
    public func requireJSON() throws(HTTPError) {
        if let contentType = headers["Content-Type"],
           !contentType.lowercased().hasPrefix("application/json"), !contentType.lowercased().contains("+json") {
            throw HTTPError(status: 415,
                            detail: "body must be application/json, not \(contentType)")
        }
    }

    /// The body as `T`: `fast` reads it when it can (a hand-written reader), `JSONDecoder` otherwise,
    /// so an invalid body is refused with the decoder's own account of what is wrong.
    public func decodeJSON<T: Decodable>(_ type: T.Type = T.self, fast: ([UInt8]) -> T?) throws -> T {
        try requireJSON()
        if let value = fast(body) { return value }
        return try decodeJSON(type)
    }

    public func decodeJSON<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        try requireJSON()
        do {
            return try JSONDecoder().decode(T.self, from: Data(body))
        } catch let error as DecodingError {
            throw HTTPError(status: 400, detail: "invalid JSON body: \(Self.describe(error))")
        } catch {
            throw HTTPError(status: 400, detail: "invalid JSON body: \(error)")
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let p = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return p.isEmpty ? "top level" : p
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing field \"\(key.stringValue)\" at \(path(context))"
        case .typeMismatch(let type, let context): return "expected \(type) at \(path(context))"
        case .valueNotFound(let type, let context): return "null where \(type) is required at \(path(context))"
        case .dataCorrupted(let context): return "\(context.debugDescription) at \(path(context))"
        @unknown default: return "\(error)"
        }
    }

    /// Path and query of a target; the absolute form (`http://host/path`, RFC 9112 §3.2.2) is reduced to its path.
    static func split(_ target: String) -> (Substring, Substring) {
        var rest = target[...]
        // Origin form (`/path?query`), nearly every request: no scheme to look for.
        for scheme in ["http://", "https://"] where rest.first != "/" && rest.count > scheme.count && rest.lowercased().hasPrefix(scheme) {
            rest = rest.dropFirst(scheme.count)
            rest = rest.firstIndex(of: "/").map { rest[$0...] } ?? "/"
        }
        guard let q = rest.firstIndex(of: "?") else { return (rest, "") }
        return (rest[..<q], rest[rest.index(after: q)...])
    }

    static func parseQuery(_ raw: Substring) -> [String: String] {
        var result: [String: String] = [:]
        for pair in raw.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = percentDecode(parts[0], plusIsSpace: true), !key.isEmpty else { continue }
            result[key] = parts.count > 1 ? percentDecode(parts[1], plusIsSpace: true) ?? String(parts[1]) : ""
        }
        return result
    }

    /// nil when an escape is malformed or the result is not UTF-8.
    static func percentDecode<S: StringProtocol>(_ s: S, plusIsSpace: Bool) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(s.utf8.count)
        var it = s.utf8.makeIterator()
        while let b = it.next() {
            if b == 0x25 {
                guard let h = it.next().flatMap(HTTPRequestParser.hexValue),
                      let l = it.next().flatMap(HTTPRequestParser.hexValue) else { return nil }
                bytes.append(UInt8(h << 4 | l))
            } else if b == 0x2B && plusIsSpace {
                bytes.append(0x20)
            } else {
                bytes.append(b)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}

/// An error a handler throws to answer with a problem document (RFC 9457).
public struct HTTPError: Error, Sendable, CustomStringConvertible {
    public var status: Int
    public var title: String
    public var detail: String
    public var type: String?
    public var extra: [String: String]
    /// Headers sent with the problem document (`Retry-After`, `WWW-Authenticate`).
    public var headers: HTTPHeaders

    public init(status: Int, title: String? = nil, detail: String, type: String? = nil, extra: [String: String] = [:],
                headers: HTTPHeaders = HTTPHeaders()) {
        self.status = status
        self.title = title ?? HTTPResponse.reason(status)
        self.detail = detail
        self.type = type
        self.extra = extra
        self.headers = headers
    }

    public var description: String { "HTTP \(status) \(title): \(detail)" }

    public var response: HTTPResponse {
        var response = HTTPResponse.problem(status: status, title: title, detail: detail, type: type, extra: extra)
        for (name, value) in headers { response.headers.set(name, value) }
        return response
    }
}
