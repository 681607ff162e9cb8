extension ClientConnection {
    struct ReadResult {
        var response: HTTPClientResponse
        /// The connection ended cleanly and may carry another request.
        var reusable: Bool
    }

    func readResponse(method: String, deadline: UInt64, maxBytes: Int) throws -> ReadResult {
        while true {
            let (status, minor, headers) = try readHead(deadline: deadline)
            if (100..<200).contains(status) && status != 101 { continue }  // interim answers such as 100 Continue
            var closeAfter = minor == 0
            for value in headers.values("Connection") {
                for token in value.split(separator: ",") {
                    let t = HTTPRequestParser.trim(String(token))
                    if HTTPHeaders.equalsIgnoringCase(t, "close") { closeAfter = true }
                    if HTTPHeaders.equalsIgnoringCase(t, "keep-alive") && minor == 0 { closeAfter = false }
                }
            }
            var body: [UInt8] = []
            if method == "HEAD" || status == 204 || status == 304 {
                // no body
            } else if let te = headers["Transfer-Encoding"] {
                guard HTTPHeaders.equalsIgnoringCase(HTTPRequestParser.trim(te.split(separator: ",").last.map(String.init) ?? ""), "chunked") else {
                    throw HTTPClientError.malformedResponse("\(peer): unsupported Transfer-Encoding \(te)")
                }
                body = try readChunked(deadline: deadline, maxBytes: maxBytes)
            } else if let cl = headers["Content-Length"] {
                guard let length = Int(HTTPRequestParser.trim(cl)), length >= 0 else {
                    throw HTTPClientError.malformedResponse("\(peer): bad Content-Length \(cl)")
                }
                guard length <= maxBytes else { throw HTTPClientError.tooLarge("\(peer): \(length) bytes, limit \(maxBytes)") }
                while buffer.count - index < length {
                    guard try fill(deadline: deadline, doing: "reading the body") else {
                        throw HTTPClientError.connectionReset("\(peer): closed after \(buffer.count - index) of \(length) body bytes")
                    }
                }
                body = Array(buffer[index..<index + length])
                index += length
            } else {
                // Checked before each read too: the bytes read with the head may already be over.
                repeat {
                    if buffer.count - index > maxBytes { throw HTTPClientError.tooLarge("\(peer): more than \(maxBytes) bytes") }
                } while try fill(deadline: deadline, doing: "reading the body")
                body = Array(buffer[index...])
                index = buffer.count
                closeAfter = true
            }
            let clean = index == buffer.count
            return ReadResult(response: HTTPClientResponse(status: status, headers: headers, body: body),
                              reusable: !closeAfter && clean)
        }
    }

    private func readHead(deadline: UInt64) throws -> (Int, Int, HTTPHeaders) {
        var scanned = 0  // relative to index, which fill() may move when it compacts the buffer
        while true {
            if let end = findHeadEnd(from: index + scanned) {
                // Split bytes, not Characters: "\r\n" is a single Character in Swift.
                let lines = buffer[index..<end].split(separator: 0x0A, omittingEmptySubsequences: false)
                    .map { Substring(String(decoding: $0.last == 0x0D ? $0.dropLast() : $0, as: UTF8.self)) }
                index = end
                return try parseHead(lines.filter { !$0.isEmpty })
            }
            scanned = max(0, buffer.count - index - 3)
            if buffer.count - index > 64 << 10 { throw HTTPClientError.tooLarge("\(peer): response head over 64 KiB") }
            guard try fill(deadline: deadline, doing: "waiting for the response") else {
                if buffer.count > index {
                    throw HTTPClientError.connectionReset("\(peer): closed in the middle of the response head")
                }
                throw HTTPClientError.connectionReset("\(peer): closed the connection without answering")
            }
        }
    }

    /// The index just past the blank line ending the head (CRLF CRLF, or LF LF from lax servers).
    private func findHeadEnd(from start: Int) -> Int? {
        var i = max(start, index)
        while i < buffer.count {
            if buffer[i] == 0x0A {
                if i + 1 < buffer.count, buffer[i + 1] == 0x0A { return i + 2 }
                if i + 2 < buffer.count, buffer[i + 1] == 0x0D, buffer[i + 2] == 0x0A { return i + 3 }
            }
            i += 1
        }
        return nil
    }

    private func parseHead(_ lines: [Substring]) throws -> (Int, Int, HTTPHeaders) {
        guard let statusLine = lines.first else { throw HTTPClientError.malformedResponse("\(peer): empty response head") }
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), parts[0].count == 8,
              let minor = Int(parts[0].suffix(1)), parts[1].utf8.count == 3,
              parts[1].utf8.allSatisfy({ (0x30...0x39).contains($0) }), let status = Int(parts[1]) else {
            throw HTTPClientError.malformedResponse("\(peer): status line \"\(statusLine.prefix(80))\" is not HTTP/1.x")
        }
        var headers = HTTPHeaders()
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":"), colon > line.startIndex else {
                throw HTTPClientError.malformedResponse("\(peer): header line \"\(line.prefix(80))\" has no name")
            }
            headers.add(String(line[..<colon]), HTTPRequestParser.trim(String(line[line.index(after: colon)...])))
        }
        return (status, minor, headers)
    }

    private func readLine(deadline: UInt64) throws -> Substring {
        while true {
            if let lf = buffer[index...].firstIndex(of: 0x0A) {
                var end = lf
                if end > index && buffer[end - 1] == 0x0D { end -= 1 }
                let line = String(decoding: buffer[index..<end], as: UTF8.self)
                index = lf + 1
                return Substring(line)
            }
            if buffer.count - index > 8192 { throw HTTPClientError.malformedResponse("\(peer): chunk line over 8 KiB") }
            guard try fill(deadline: deadline, doing: "reading a chunk") else {
                throw HTTPClientError.connectionReset("\(peer): closed in the middle of a chunked body")
            }
        }
    }

    private func readChunked(deadline: UInt64, maxBytes: Int) throws -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let line = try readLine(deadline: deadline)
            let sizeText = line.prefix { $0 != ";" && $0 != " " && $0 != "\t" }
            guard let size = Int(sizeText, radix: 16), size >= 0 else {
                throw HTTPClientError.malformedResponse("\(peer): bad chunk size \"\(line.prefix(40))\"")
            }
            if size == 0 {
                while try !readLine(deadline: deadline).isEmpty {}  // trailers
                return body
            }
            guard body.count + size <= maxBytes else { throw HTTPClientError.tooLarge("\(peer): chunked body over \(maxBytes) bytes") }
            while buffer.count - index < size + 2 {
                guard try fill(deadline: deadline, doing: "reading a chunk") else {
                    throw HTTPClientError.connectionReset("\(peer): closed in the middle of a chunk")
                }
            }
            body.append(contentsOf: buffer[index..<index + size])
            guard buffer[index + size] == 0x0D, buffer[index + size + 1] == 0x0A else {
                throw HTTPClientError.malformedResponse("\(peer): chunk not followed by CRLF")
            }
            index += size + 2
        }
    }
}
