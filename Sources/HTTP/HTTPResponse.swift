import FoundationEssentials

/// A response with a complete body; `Content-Length` is set when it is sent.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: Int = 200, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON body written already.
    public static func json(bytes: [UInt8], status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": "application/json"], body: bytes)
    }

    /// The value as JSON with sorted keys; an unencodable value gives a 500 problem.
    public static func json<T: Encodable>(_ value: T, status: Int = 200) -> HTTPResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            let data = try encoder.encode(value)
            return HTTPResponse(status: status, headers: ["Content-Type": "application/json"], body: [UInt8](data))
        } catch {
            return problem(status: 500, detail: "response could not be encoded as JSON: \(error)")
        }
    }

    public static func text(_ text: String, status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": "text/plain; charset=utf-8"], body: Array(text.utf8))
    }

    /// An `application/problem+json` document (RFC 9457); `extra` adds members beside the standard ones.
    /// The title is the status's reason phrase unless the problem has a name of its own.
    public static func problem(status: Int, title: String? = nil, detail: String, type: String? = nil,
                               extra: [String: String] = [:]) -> HTTPResponse {
        var members: [String: String] = extra
        members["title"] = title ?? reason(status)
        members["detail"] = detail
        members["type"] = type ?? "about:blank"
        // status is a number in RFC 9457, so it is spliced in after encoding the strings.
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var body = (try? encoder.encode(members)).map { [UInt8]($0) } ?? Array("{}".utf8)
        let statusMember = Array("\"status\":\(status)".utf8) + (body.count > 2 ? [0x2C] : [])
        body.insert(contentsOf: statusMember, at: 1)
        return HTTPResponse(status: status, headers: ["Content-Type": "application/problem+json"], body: body)
    }

    /// The standard reason phrase of a status code.
    public static func reason(_ status: Int) -> String {
        switch status {
        case 100: return "Continue"
        case 200: return "OK"
        case 201: return "Created"
        case 202: return "Accepted"
        case 204: return "No Content"
        case 301: return "Moved Permanently"
        case 302: return "Found"
        case 304: return "Not Modified"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 408: return "Request Timeout"
        case 409: return "Conflict"
        case 411: return "Length Required"
        case 413: return "Content Too Large"
        case 414: return "URI Too Long"
        case 415: return "Unsupported Media Type"
        case 417: return "Expectation Failed"
        case 422: return "Unprocessable Content"
        case 429: return "Too Many Requests"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        case 505: return "HTTP Version Not Supported"
        default: return "Status \(status)"
        }
    }
}
