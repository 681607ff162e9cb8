/// How a case relates to the reference parser, h11.
enum ReferenceVerdict: Sendable {
    /// h11 must accept exactly when we do.
    case agree
    /// We refuse what h11 tolerates, on purpose (the reason says why); the test checks h11 does accept it.
    case stricter(String)
    /// A size limit, which is policy and not validity: not compared.
    case limit
}

struct ConformanceCase: Sendable, CustomStringConvertible {
    var name: String
    var bytes: [UInt8]
    var status: Int
    /// The connection stays usable after the answer.
    var staysOpen: Bool
    var reference: ReferenceVerdict = .agree
    var description: String { name }
}

/// Latin-1: each scalar up to U+00FF becomes one byte, so tests can spell bytes like `\u{FF}`.
func latin1(_ s: String) -> [UInt8] {
    s.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }
}

private func c(_ name: String, _ raw: String, _ status: Int, open: Bool, _ reference: ReferenceVerdict = .agree) -> ConformanceCase {
    ConformanceCase(name: name, bytes: latin1(raw), status: status, staysOpen: open, reference: reference)
}

private let host = "Host: t\r\n"
private let chunked = "POST /echo HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\n"

let conformanceCases: [ConformanceCase] = [
    // Valid requests
    c("simple GET", "GET /echo HTTP/1.1\r\n\(host)\r\n", 200, open: true),
    c("HTTP/1.0 closes by default", "GET /echo HTTP/1.0\r\n\r\n", 200, open: false),
    c("HTTP/1.0 keep-alive", "GET /echo HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 200, open: true),
    c("Connection: close", "GET /echo HTTP/1.1\r\n\(host)Connection: close\r\n\r\n", 200, open: false),
    c("Content-Length body", "POST /echo HTTP/1.1\r\n\(host)Content-Length: 5\r\n\r\nhello", 200, open: true),
    c("chunked body", chunked + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", 200, open: true),
    c("chunk extension", chunked + "5;name=value\r\nhello\r\n0\r\n\r\n", 200, open: true),
    c("upper-case hex chunk size", chunked + "A\r\n0123456789\r\n0\r\n\r\n", 200, open: true),
    c("whitespace after chunk size", chunked + "5 \r\nhello\r\n0\r\n\r\n", 200, open: true),
    c("chunked trailer", chunked + "5\r\nhello\r\n0\r\nX-Checksum: 1\r\n\r\n", 200, open: true),
    c("Transfer-Encoding in other case", "POST /echo HTTP/1.1\r\n\(host)Transfer-Encoding: Chunked\r\n\r\n0\r\n\r\n", 200, open: true),
    c("repeated equal Content-Length", "POST /echo HTTP/1.1\r\n\(host)Content-Length: 3\r\nContent-Length: 3\r\n\r\nabc", 200, open: true),
    c("Content-Length list of equal values", "POST /echo HTTP/1.1\r\n\(host)Content-Length: 3, 3\r\n\r\nabc", 200, open: true),
    c("tab inside a value", "GET /echo HTTP/1.1\r\n\(host)X-A: a\tb\r\n\r\n", 200, open: true),
    c("empty value", "GET /echo HTTP/1.1\r\n\(host)X-A:\r\n\r\n", 200, open: true),
    c("obs-text in a value", "GET /echo HTTP/1.1\r\n\(host)X-A: caf\u{E9}\u{FF}\r\n\r\n", 200, open: true),
    c("no space after colon", "GET /echo HTTP/1.1\r\nHost:t\r\n\r\n", 200, open: true),
    c("trailing whitespace in value", "GET /echo HTTP/1.1\r\nHost: t \t\r\n\r\n", 200, open: true),
    c("query string", "GET /echo?a=1&b=%20 HTTP/1.1\r\n\(host)\r\n", 200, open: true),
    c("absolute-form target", "GET http://t/echo HTTP/1.1\r\n\(host)\r\n", 200, open: true),
    c("control character other than NUL in value", "GET /echo HTTP/1.1\r\n\(host)X-A: a\u{01}b\r\n\r\n", 200, open: true),

    // Framing and syntax errors
    c("leading empty line", "\r\nGET /echo HTTP/1.1\r\n\(host)\r\n", 400, open: false),
    c("bare LF line endings", "GET /echo HTTP/1.1\n\(host.replacingOccurrences(of: "\r", with: ""))\n", 400, open: false,
      .stricter("RFC 9112 §2.2 lets a server refuse a bare LF; a lone LF is a request-smuggling vector")),
    c("bare LF inside a field", "GET /echo HTTP/1.1\r\n\(host)X-A: a\nb\r\n\r\n", 400, open: false),
    c("bare CR inside a field", "GET /echo HTTP/1.1\r\n\(host)X-A: a\rb\r\n\r\n", 400, open: false),
    c("bare CR in request line", "GET /echo\r HTTP/1.1\r\n\(host)\r\n", 400, open: false),
    c("obs-fold", "GET /echo HTTP/1.1\r\n\(host)X-A: a\r\n b\r\n\r\n", 400, open: false,
      .stricter("RFC 9112 §5.2: a server must reject obs-fold or replace it; we reject")),
    c("whitespace before colon", "GET /echo HTTP/1.1\r\n\(host)X-A : a\r\n\r\n", 400, open: false),
    c("tab before colon", "GET /echo HTTP/1.1\r\n\(host)X-A\t: a\r\n\r\n", 400, open: false),
    c("header line without colon", "GET /echo HTTP/1.1\r\n\(host)X-A a\r\n\r\n", 400, open: false),
    c("empty header name", "GET /echo HTTP/1.1\r\n\(host): a\r\n\r\n", 400, open: false),
    c("non-token header name", "GET /echo HTTP/1.1\r\n\(host)X(A): a\r\n\r\n", 400, open: false),
    c("NUL in a value", "GET /echo HTTP/1.1\r\n\(host)X-A: a\u{00}b\r\n\r\n", 400, open: false),
    c("HTTP/1.1 without Host", "GET /echo HTTP/1.1\r\n\r\n", 400, open: false),
    c("two Host headers", "GET /echo HTTP/1.1\r\n\(host)Host: u\r\n\r\n", 400, open: false),
    c("lower-case version", "GET /echo http/1.1\r\n\(host)\r\n", 400, open: false),
    c("two spaces in request line", "GET  /echo HTTP/1.1\r\n\(host)\r\n", 400, open: false),
    c("HTTP/0.9 request line", "GET /echo\r\n\r\n", 400, open: false),
    c("non-token method", "G(T /echo HTTP/1.1\r\n\(host)\r\n", 400, open: false),
    c("HTTP/2.0 in an HTTP/1 request line", "GET /echo HTTP/2.0\r\n\(host)\r\n", 505, open: false,
      .stricter("h11 accepts any single-digit version; HTTP/2 framing cannot arrive this way, so 505")),
    c("both Content-Length and Transfer-Encoding",
      "POST /echo HTTP/1.1\r\n\(host)Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, open: false,
      .stricter("RFC 9112 §6.1 allows TE to win, but refusing both closes the request-smuggling door")),
    c("differing Content-Lengths", "POST /echo HTTP/1.1\r\n\(host)Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400, open: false),
    c("Content-Length list of differing values", "POST /echo HTTP/1.1\r\n\(host)Content-Length: 3, 4\r\n\r\nabcd", 400, open: false),
    c("signed Content-Length", "POST /echo HTTP/1.1\r\n\(host)Content-Length: +3\r\n\r\nabc", 400, open: false),
    c("negative Content-Length", "POST /echo HTTP/1.1\r\n\(host)Content-Length: -1\r\n\r\n", 400, open: false),
    c("non-numeric Content-Length", "POST /echo HTTP/1.1\r\n\(host)Content-Length: 3a\r\n\r\nabc", 400, open: false),
    c("unknown transfer coding", "POST /echo HTTP/1.1\r\n\(host)Transfer-Encoding: gzip\r\n\r\n", 501, open: false),
    c("coding list ending in chunked", "POST /echo HTTP/1.1\r\n\(host)Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501, open: false),
    c("two Transfer-Encoding headers",
      "POST /echo HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 501, open: false),
    c("non-hex chunk size", chunked + "zz\r\nhello\r\n0\r\n\r\n", 400, open: false),
    c("empty chunk size", chunked + "\r\nhello\r\n0\r\n\r\n", 400, open: false),
    c("negative chunk size", chunked + "-5\r\nhello\r\n0\r\n\r\n", 400, open: false),
    c("chunk size overflow", chunked + "10000000000000000\r\nhello\r\n0\r\n\r\n", 400, open: false),
    c("chunk size ended by bare LF", chunked + "5\nhello\r\n0\r\n\r\n", 400, open: false),
    c("chunk data longer than its size", chunked + "3\r\nhello\r\n0\r\n\r\n", 400, open: false),
    c("chunk data ended by bare LF", chunked + "5\r\nhello\n0\r\n\r\n", 400, open: false),

    // Limits (default configuration)
    c("request line over 8 KiB", "GET /\(String(repeating: "a", count: 9000)) HTTP/1.1\r\n\(host)\r\n", 414, open: false, .limit),
    c("header section over 32 KiB", "GET /echo HTTP/1.1\r\n\(host)X-A: \(String(repeating: "b", count: 33000))\r\n\r\n", 431, open: false, .limit),
    c("more than 100 header fields", "GET /echo HTTP/1.1\r\n\(host)" + (0..<101).map { "X-\($0): v\r\n" }.joined() + "\r\n", 431, open: false, .limit),
    c("Content-Length over 1 MiB", "POST /echo HTTP/1.1\r\n\(host)Content-Length: 2000000\r\n\r\n", 413, open: false, .limit),
    c("Content-Length with 30 digits", "POST /echo HTTP/1.1\r\n\(host)Content-Length: 123456789012345678901234567890\r\n\r\n", 413, open: false, .limit),
    c("chunked body over 1 MiB", chunked + "100001\r\n", 413, open: false, .limit),
]
