// The request line and header section; standard library only (see HTTPRequestParser.swift).

extension HTTPRequestParser {
    /// Scans for the blank line that ends the head, resuming where the last call stopped
    /// so that a client sending one byte at a time costs linear, not quadratic, work.
    mutating func parseHead(_ buffer: UnsafeBufferPointer<UInt8>, _ index: inout Int,
                            scanned: Int, lineEnd: Int) -> HTTPParseEvent {
        let start = index
        var i = start + scanned
        var requestLineEnd = lineEnd
        var headEnd = -1
        while i < buffer.count {
            let byte = buffer[i]
            if byte == 0x0A {
                guard i > start, buffer[i - 1] == 0x0D else { return fail(400, "bare LF in request head (lines must end with CRLF)") }
                if requestLineEnd < 0 {
                    requestLineEnd = i - 1 - start
                    if requestLineEnd == 0 { return fail(400, "empty request line") }
                } else if i - start >= 3, buffer[i - 2] == 0x0A {
                    headEnd = i + 1
                    break
                }
            } else if i > start, buffer[i - 1] == 0x0D {
                return fail(400, "bare CR in request head")
            }
            i += 1
            if requestLineEnd < 0 {
                if i - start > limits.maxRequestLineBytes + 1 {
                    return fail(414, "request line longer than \(limits.maxRequestLineBytes) bytes")
                }
            } else if i - start - requestLineEnd - 2 > limits.maxHeaderBytes + 2 {
                return fail(431, "header section larger than \(limits.maxHeaderBytes) bytes")
            }
        }
        guard headEnd >= 0 else {
            state = .head(scanned: i - start, lineEnd: requestLineEnd)
            return .needMore
        }
        let result = parseHeadLines(buffer, start: start, requestLineEnd: start + requestLineEnd, headEnd: headEnd)
        switch result {
        case .failure(let error):
            state = .failed(error)
            return .error(error)
        case .success(let head):
            index = headEnd
            switch head.framing {
            case .none, .length(0):
                state = .fixedBody(remaining: 0)
            case .length(let n):
                state = .fixedBody(remaining: n)
            case .chunked:
                state = .chunkSize
            }
            return .head(head)
        }
    }

    func parseHeadLines(_ buffer: UnsafeBufferPointer<UInt8>, start: Int, requestLineEnd: Int,
                        headEnd: Int) -> Result<HTTPRequestHead, HTTPParseError> {
        // Request line: method SP request-target SP HTTP-version
        var i = start
        while i < requestLineEnd, Self.isTokenByte(buffer[i]) { i += 1 }
        let methodEnd = i
        guard methodEnd > start, i < requestLineEnd, buffer[i] == 0x20 else {
            return .failure(HTTPParseError(400, "malformed request line: bad method"))
        }
        i += 1
        let targetStart = i
        while i < requestLineEnd, buffer[i] > 0x20, buffer[i] < 0x7F { i += 1 }
        let targetEnd = i
        guard targetEnd > targetStart, i < requestLineEnd, buffer[i] == 0x20 else {
            return .failure(HTTPParseError(400, "malformed request line: bad request target"))
        }
        i += 1
        guard requestLineEnd - i == 8,
              buffer[i] == 0x48, buffer[i + 1] == 0x54, buffer[i + 2] == 0x54, buffer[i + 3] == 0x50,
              buffer[i + 4] == 0x2F, buffer[i + 6] == 0x2E,
              (0x30...0x39).contains(buffer[i + 5]), (0x30...0x39).contains(buffer[i + 7]) else {
            return .failure(HTTPParseError(400, "malformed request line: bad HTTP version"))
        }
        let major = Int(buffer[i + 5] - 0x30), minor = Int(buffer[i + 7] - 0x30)
        guard major == 1 else {
            return .failure(HTTPParseError(505, "HTTP version \(major).\(minor) is not supported; use HTTP/1.1"))
        }
        let method = Self.string(buffer, start, methodEnd)
        let target = Self.string(buffer, targetStart, targetEnd)

        // Header fields
        var headers = HTTPHeaders()
        var line = requestLineEnd + 2
        let sectionEnd = headEnd - 2
        while line < sectionEnd {
            var end = line
            while buffer[end] != 0x0D { end += 1 }
            if headers.count >= limits.maxHeaderCount {
                return .failure(HTTPParseError(431, "more than \(limits.maxHeaderCount) header fields"))
            }
            switch Self.parseField(UnsafeBufferPointer(rebasing: buffer[line..<end])) {
            case .failure(let error): return .failure(error)
            case .success(let field): headers.add(field.0, field.1)
            }
            line = end + 2
        }
        return Self.validate(method: method, target: target, major: major, minor: minor, headers: headers,
                             maxBodyBytes: limits.maxBodyBytes)
    }

    /// One `name: value` line without its CRLF.
    static func parseField(_ line: UnsafeBufferPointer<UInt8>) -> Result<(String, String), HTTPParseError> {
        guard let first = line.first else { return .failure(HTTPParseError(400, "empty header line")) }
        if first == 0x20 || first == 0x09 {
            return .failure(HTTPParseError(400, "obsolete line folding in header section"))
        }
        var i = 0
        while i < line.count, isTokenByte(line[i]) { i += 1 }
        guard i > 0, i < line.count, line[i] == 0x3A else {
            if i < line.count, line[i] == 0x20 || line[i] == 0x09 {
                return .failure(HTTPParseError(400, "whitespace between header name and colon"))
            }
            return .failure(HTTPParseError(400, "malformed header line: name must be a token followed by a colon"))
        }
        let name = string(line, 0, i)
        var valueStart = i + 1
        var valueEnd = line.count
        while valueStart < valueEnd, line[valueStart] == 0x20 || line[valueStart] == 0x09 { valueStart += 1 }
        while valueEnd > valueStart, line[valueEnd - 1] == 0x20 || line[valueEnd - 1] == 0x09 { valueEnd -= 1 }
        for j in valueStart..<valueEnd where line[j] == 0 || line[j] == 0x7F {
            return .failure(HTTPParseError(400, "control character in value of header \(name)"))
        }
        return .success((name, string(line, valueStart, valueEnd)))
    }

    static func validate(method: String, target: String, major: Int, minor: Int, headers: HTTPHeaders,
                         maxBodyBytes: Int) -> Result<HTTPRequestHead, HTTPParseError> {
        let hosts = headers.values("Host")
        if hosts.count > 1 { return .failure(HTTPParseError(400, "more than one Host header")) }
        if hosts.isEmpty && minor >= 1 { return .failure(HTTPParseError(400, "HTTP/1.1 request without a Host header")) }

        var contentLength: Int?
        for value in headers.values("Content-Length") {
            for part in value.split(separator: ",", omittingEmptySubsequences: false) {
                let digits = part.utf8.drop { $0 == 0x20 || $0 == 0x09 }.reversed().drop { $0 == 0x20 || $0 == 0x09 }
                guard !digits.isEmpty, digits.allSatisfy({ (0x30...0x39).contains($0) }) else {
                    return .failure(HTTPParseError(400, "invalid Content-Length \"\(value)\""))
                }
                // Beyond 18 digits the value overflows and is surely too large.
                let length = digits.count > 18 ? Int.max : digits.reversed().reduce(0) { $0 * 10 + Int($1 - 0x30) }
                if let known = contentLength, known != length {
                    return .failure(HTTPParseError(400, "conflicting Content-Length values"))
                }
                contentLength = length
            }
        }
        let codings = headers.values("Transfer-Encoding")
        var framing = HTTPBodyFraming.none
        if !codings.isEmpty {
            if contentLength != nil {
                return .failure(HTTPParseError(400, "both Content-Length and Transfer-Encoding (request smuggling guard)"))
            }
            guard codings.count == 1,
                  HTTPHeaders.equalsIgnoringCase(trim(codings[0]), "chunked") else {
                return .failure(HTTPParseError(501, "unsupported Transfer-Encoding \"\(codings.joined(separator: ", "))\"; only chunked is implemented"))
            }
            framing = .chunked
        } else if let contentLength {
            if contentLength > maxBodyBytes {
                return .failure(HTTPParseError(413, "body of \(contentLength) bytes exceeds the limit of \(maxBodyBytes)"))
            }
            framing = .length(contentLength)
        }

        var close = minor == 0
        for value in headers.values("Connection") {
            for token in value.split(separator: ",") {
                let t = trim(String(token))
                if HTTPHeaders.equalsIgnoringCase(t, "close") { close = true }
                if HTTPHeaders.equalsIgnoringCase(t, "keep-alive") && minor == 0 { close = false }
            }
        }
        let expects = headers["Expect"].map { HTTPHeaders.equalsIgnoringCase(trim($0), "100-continue") } ?? false
        return .success(HTTPRequestHead(method: method, target: target, versionMajor: major, versionMinor: minor,
                                        headers: headers, framing: framing, keepAlive: !close,
                                        expectsContinue: expects && minor >= 1))
    }

    static func trim(_ s: String) -> String {
        let u = s.utf8
        let body = u.drop { $0 == 0x20 || $0 == 0x09 }
        var end = body.endIndex
        while end > body.startIndex, u[u.index(before: end)] == 0x20 || u[u.index(before: end)] == 0x09 {
            end = u.index(before: end)
        }
        return String(s[body.startIndex..<end])
    }

    static func string(_ buffer: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<end]), as: UTF8.self)
    }

    /// tchar from RFC 9110 §5.6.2.
    @inline(__always)
    static func isTokenByte(_ b: UInt8) -> Bool {
        switch b {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
        case 0x21, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2A, 0x2B, 0x2D, 0x2E, 0x5E, 0x5F, 0x60, 0x7C, 0x7E: return true
        default: return false
        }
    }
}
