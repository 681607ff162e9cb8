// The request parser: a pure state machine over bytes, standard library only,
// so fuzz/run.sh compiles it with HTTPHeaders.swift and a tiny entry point.

/// Sizes beyond which a request is refused.
public struct HTTPParserLimits: Sendable, Equatable {
    public var maxRequestLineBytes: Int
    public var maxHeaderBytes: Int
    public var maxHeaderCount: Int
    public var maxBodyBytes: Int

    public init(maxRequestLineBytes: Int = 8 << 10, maxHeaderBytes: Int = 32 << 10,
                maxHeaderCount: Int = 100, maxBodyBytes: Int = 1 << 20) {
        self.maxRequestLineBytes = maxRequestLineBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxBodyBytes = maxBodyBytes
    }
}

/// How the body of a request is delimited.
public enum HTTPBodyFraming: Sendable, Equatable {
    case none
    case length(Int)
    case chunked
}

/// The request line and header fields of a request, validated.
public struct HTTPRequestHead: Sendable, Equatable {
    public var method: String
    public var target: String
    public var versionMajor: Int
    public var versionMinor: Int
    public var headers: HTTPHeaders
    public var framing: HTTPBodyFraming
    /// The connection may carry another request after this one.
    public var keepAlive: Bool
    /// The client sent `Expect: 100-continue` and waits before sending the body.
    public var expectsContinue: Bool
}

/// Why a request was refused: the status to answer and a human-readable reason.
/// The connection must be closed after answering, since the stream cannot be resynchronised.
public struct HTTPParseError: Error, Equatable, Sendable {
    public var status: Int
    public var reason: String
    public init(_ status: Int, _ reason: String) {
        self.status = status
        self.reason = reason
    }
}

/// What the parser found in the bytes given so far.
public enum HTTPParseEvent: Equatable {
    /// More bytes are needed.
    case needMore
    /// The head of a request is complete and valid; call `next` again for the body.
    case head(HTTPRequestHead)
    /// The body is complete; the parser is ready for the next request.
    case body([UInt8])
    /// The request is invalid; answer `status` and close.
    case error(HTTPParseError)
}

/// An incremental HTTP/1.1 request parser (RFC 9112), strict on framing:
/// CRLF line endings only, no obs-fold, no whitespace before a colon, one framing.
public struct HTTPRequestParser {
    enum State: Equatable {
        case head(scanned: Int, lineEnd: Int)
        case fixedBody(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers(count: Int, bytes: Int)
        case failed(HTTPParseError)
    }

    public let limits: HTTPParserLimits
    var state: State = .head(scanned: 0, lineEnd: -1)
    var body: [UInt8] = []

    static let maxChunkLineBytes = 4096

    public init(limits: HTTPParserLimits = HTTPParserLimits()) {
        self.limits = limits
    }

    /// Parses from `buffer[index...]`, advancing `index` past what was consumed.
    public mutating func next(_ buffer: [UInt8], _ index: inout Int) -> HTTPParseEvent {
        buffer.withUnsafeBufferPointer { next($0, &index) }
    }

    public mutating func next(_ buffer: UnsafeBufferPointer<UInt8>, _ index: inout Int) -> HTTPParseEvent {
        while true {
            switch state {
            case .failed(let error):
                return .error(error)
            case .head(let scanned, let lineEnd):
                return parseHead(buffer, &index, scanned: scanned, lineEnd: lineEnd)
            case .fixedBody(let remaining):
                let take = min(remaining, buffer.count - index)
                if take > 0 {
                    body.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[index..<index + take]))
                    index += take
                }
                if take == remaining { return finishBody() }
                state = .fixedBody(remaining: remaining - take)
                return .needMore
            case .chunkSize:
                guard let lineEnd = findLineEnd(buffer, from: index, limit: Self.maxChunkLineBytes) else {
                    return .needMore
                }
                if lineEnd < 0 { return fail(400, "chunk size line is too long or has a bare CR or LF") }
                guard let size = Self.parseChunkSize(UnsafeBufferPointer(rebasing: buffer[index..<lineEnd])) else {
                    return fail(400, "malformed chunk size")
                }
                index = lineEnd + 2
                if size == 0 {
                    state = .trailers(count: 0, bytes: 0)
                } else {
                    if size > limits.maxBodyBytes - body.count {
                        return fail(413, "chunked body exceeds \(limits.maxBodyBytes) bytes")
                    }
                    state = .chunkData(remaining: size)
                }
            case .chunkData(let remaining):
                let take = min(remaining, buffer.count - index)
                if take > 0 {
                    body.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[index..<index + take]))
                    index += take
                }
                if take < remaining {
                    state = .chunkData(remaining: remaining - take)
                    return .needMore
                }
                state = .chunkDataEnd
            case .chunkDataEnd:
                if buffer.count - index < 2 {
                    if buffer.count - index == 1 && buffer[index] != 0x0D { return fail(400, "chunk data not followed by CRLF") }
                    return .needMore
                }
                guard buffer[index] == 0x0D, buffer[index + 1] == 0x0A else {
                    return fail(400, "chunk data not followed by CRLF")
                }
                index += 2
                state = .chunkSize
            case .trailers(let count, let bytes):
                let limit = limits.maxHeaderBytes - bytes
                guard let lineEnd = findLineEnd(buffer, from: index, limit: max(limit, 0)) else { return .needMore }
                if lineEnd < 0 { return fail(431, "trailer section is too large or has a bare CR or LF") }
                if lineEnd == index {
                    index += 2
                    return finishBody()
                }
                if count + 1 > limits.maxHeaderCount { return fail(431, "more than \(limits.maxHeaderCount) trailer fields") }
                if case .failure(let error) = Self.parseField(UnsafeBufferPointer(rebasing: buffer[index..<lineEnd])) {
                    return fail(error.status, "trailer: " + error.reason)
                }
                state = .trailers(count: count + 1, bytes: bytes + lineEnd + 2 - index)
                index = lineEnd + 2
            }
        }
    }

    mutating func fail(_ status: Int, _ reason: String) -> HTTPParseEvent {
        let error = HTTPParseError(status, reason)
        state = .failed(error)
        return .error(error)
    }

    mutating func finishBody() -> HTTPParseEvent {
        let result = body
        body = []
        state = .head(scanned: 0, lineEnd: -1)
        return .body(result)
    }

    /// The index of the CR of the next CRLF, nil if not yet found within `limit` bytes,
    /// or -1 if the line is too long or holds a bare CR or LF.
    func findLineEnd(_ buffer: UnsafeBufferPointer<UInt8>, from start: Int, limit: Int) -> Int? {
        var i = start
        let end = min(buffer.count, start + limit + 2)
        while i < end {
            let byte = buffer[i]
            if byte == 0x0A { return -1 }
            if byte == 0x0D {
                if i + 1 >= buffer.count { return nil }
                return buffer[i + 1] == 0x0A && i - start <= limit ? i : -1
            }
            i += 1
        }
        return buffer.count - start > limit + 1 ? -1 : nil
    }

    static func parseChunkSize(_ line: UnsafeBufferPointer<UInt8>) -> Int? {
        var size = 0
        var digits = 0
        var i = 0
        while i < line.count, let value = hexValue(line[i]) {
            if digits >= 15 { return nil }
            size = size << 4 | value
            digits += 1
            i += 1
        }
        guard digits > 0 else { return nil }
        while i < line.count, line[i] == 0x20 || line[i] == 0x09 { i += 1 }
        if i == line.count { return size }
        guard line[i] == 0x3B else { return nil }  // ';' starts an extension, which is ignored
        for j in i..<line.count where line[j] == 0 { return nil }
        return size
    }

    static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case 0x30...0x39: return Int(byte - 0x30)
        case 0x41...0x46: return Int(byte - 0x41 + 10)
        case 0x61...0x66: return Int(byte - 0x61 + 10)
        default: return nil
        }
    }
}
