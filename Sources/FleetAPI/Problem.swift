import FoundationEssentials
import HTTP

/// An error answer as a client reads it: the problem document (RFC 9457) every daemon
/// writes, decoded once for all clients, with `Retry-After`; a body that is not one
/// (a proxy's page, an old daemon) is kept as text.
public struct Problem: Sendable, Equatable, CustomStringConvertible {
    public var status: Int
    /// The problem type (`GatewayAPI.ProblemType`), when the document has one.
    public var type: String?
    public var title: String?
    public var detail: String?
    /// Seconds from the `Retry-After` header.
    public var retryAfter: Int?
    /// The body as text, trimmed.
    public var text: String

    public init(status: Int, type: String? = nil, title: String? = nil, detail: String? = nil, retryAfter: Int? = nil, text: String = "") {
        self.status = status; self.type = type; self.title = title; self.detail = detail
        self.retryAfter = retryAfter; self.text = text
    }

    public init(_ r: HTTPClientResponse) {
        let doc = try? JSONDecoder().decode(Document.self, from: Data(r.body))
        self.init(status: r.status, type: doc?.type, title: doc?.title, detail: doc?.detail,
                  retryAfter: r.headers["Retry-After"].flatMap { Int($0.trimmed) }, text: r.text.trimmed)
    }

    /// The detail, else the title, else the body, else `HTTP 503`: what to show a person.
    public var message: String {
        detail ?? title ?? (text.isEmpty ? "HTTP \(status)" : text)
    }

    public var description: String { "\(status) " + message }

    /// The gateway sent the request to Redis and no answer came: it may or may not have been applied.
    public var outcomeUnknown: Bool { type == GatewayAPI.ProblemType.outcomeUnknown }
    /// Nothing was changed and repeating the request is safe (Redis unavailable).
    public var nothingChanged: Bool { type == GatewayAPI.ProblemType.redisUnavailable }

    /// Lenient: a field of the wrong type is left out rather than losing the others.
    private struct Document: Decodable {
        var type, title, detail: String?
        enum CodingKeys: String, CodingKey { case type, title, detail }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            type = try? c.decode(String.self, forKey: .type)
            title = try? c.decode(String.self, forKey: .title)
            detail = try? c.decode(String.self, forKey: .detail)
        }
    }
}

extension String {
    var trimmed: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
