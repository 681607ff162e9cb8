import CSystem
import Glibc
import Platform

extension EventLoop {
    static let mutatingMethods: Set<String> = ["POST", "PUT", "PATCH", "DELETE"]

    func received(_ head: HTTPRequestHead, on connection: Connection) {
        connection.head = head
        connection.requests += 1
        connection.keepAlive = head.keepAlive && !draining
        connection.earlyResponse = nil
        connection.matched = nil
        connection.routePattern = "-"
        let configuration = server.configuration
        if Self.mutatingMethods.contains(head.method), let token = configuration.bearerTokenSource.map({ $0() }) ?? configuration.bearerToken,
           !BearerToken.matches(head.headers["Authorization"], token) {
            var response = HTTPResponse.problem(status: 401,
                                                detail: "\(head.method) needs the header Authorization: Bearer <token>")
            response.headers.set("WWW-Authenticate", "Bearer")
            connection.earlyResponse = response
        } else {
            // Routing uses the raw path so that an encoded "/" (%2F) stays inside its segment.
            let rawPath = String(HTTPRequest.split(head.target).0)
            let path: String? = HTTPRequest.percentDecode(rawPath, plusIsSpace: false)
            switch server.router.match(method: head.method, path: rawPath) {
            case .found(let handler, let parameters, let pattern):
                connection.matched = (handler, parameters, pattern)
                connection.routePattern = pattern
            case .notFound:
                connection.earlyResponse = .problem(status: 404, detail: "no route for \(path ?? head.target)")
            case .methodNotAllowed(let allowed):
                var response = HTTPResponse.problem(status: 405,
                                                    detail: "\(head.method) is not allowed on \(path ?? head.target); use \(allowed.joined(separator: ", "))")
                response.headers.set("Allow", allowed.joined(separator: ", "))
                connection.earlyResponse = response
            }
        }
        if connection.earlyResponse != nil && head.framing != .none && head.framing != .length(0) {
            // Answer now rather than read a body nobody wants; the unread body forces a close.
            connection.keepAlive = false
            send(connection, connection.earlyResponse!, method: head.method, target: head.target, versionMinor: head.versionMinor)
            return
        }
        if head.expectsContinue && head.framing != .none && head.framing != .length(0) {
            connection.writeBuffer.append(contentsOf: Self.continueBytes)
            flush(connection)
        }
        connection.phase = .readingBody
        connection.deadline = monotonicNanos() + configuration.bodyTimeout.nanosecondsClamped
    }

    static let maxStreamBacklog = 8 << 20

    static let continueBytes = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    func dispatch(_ body: [UInt8], on connection: Connection) {
        guard let head = connection.head else { return }
        if let early = connection.earlyResponse {
            send(connection, early, method: head.method, target: head.target, versionMinor: head.versionMinor)
            return
        }
        var request = HTTPRequest(method: head.method, target: head.target, headers: head.headers, body: body,
                                  remoteAddress: connection.remoteAddress, versionMinor: head.versionMinor)
        guard let (handler, parameters, _) = connection.matched else {
            send(connection, .problem(status: 404, detail: "no route for \(request.path)"),
                 method: head.method, target: head.target, versionMinor: head.versionMinor)
            return
        }
        request.pathParameters = parameters.mapValues { HTTPRequest.percentDecode($0, plusIsSpace: false) ?? $0 }
        let context = RequestContext(id: server.nextID(), connectionID: connection.id)
        connection.context = context
        connection.phase = .inFlight
        switch handler {
        case .blocking(let handle):
            let frozen = request
            server.pool.submit { [self] in
                let response = Self.invoke(handle, frozen)
                context.answered.store(true, ordering: .releasing)
                run { loop in loop.complete(context, response) }
            }
        case .deferred(let handle):
            handle(request, HTTPResponder(context: context, loop: self))
        case .streaming(let handle):
            let frozen = request
            let writer = HTTPStreamWriter(context: context, loop: self)
            server.pool.submit { handle(frozen, writer) }
        }
    }

    static func invoke(_ handle: @Sendable (HTTPRequest) throws -> HTTPResponse, _ request: HTTPRequest) -> HTTPResponse {
        do {
            return try handle(request)
        } catch let error as HTTPError {
            return error.response
        } catch {
            return .problem(status: 500, detail: "\(request.method) \(request.path) failed: \(error)")
        }
    }

    /// A handler's answer arrives (on the loop).
    func complete(_ context: RequestContext, _ response: HTTPResponse) {
        guard let connection = connections[context.connectionID], connection.context === context,
              connection.phase == .inFlight, let head = connection.head else { return }
        send(connection, response, method: head.method, target: head.target, versionMinor: head.versionMinor)
    }

    func streamStart(_ context: RequestContext, status: Int, headers: HTTPHeaders) {
        guard let connection = connections[context.connectionID], connection.context === context,
              connection.phase == .inFlight, let head = connection.head else { return }
        connection.phase = .streaming
        connection.streamChunked = head.versionMinor >= 1
        if !connection.streamChunked || draining { connection.keepAlive = false }
        var headers = headers
        headers.remove("Content-Length")
        if connection.streamChunked { headers.set("Transfer-Encoding", "chunked") }
        connection.writeBuffer.append(contentsOf: serializeHead(status: status, headers: headers, keepAlive: connection.keepAlive,
                                                                versionMinor: head.versionMinor, contentLength: nil))
        flush(connection)
        log(connection, status: status, bytes: 0)
    }

    func streamWrite(_ context: RequestContext, _ bytes: [UInt8]) {
        guard let connection = connections[context.connectionID], connection.context === context,
              connection.phase == .streaming else { return }
        if connection.writeBuffer.count - connection.writeIndex > Self.maxStreamBacklog {
            // The peer reads far slower than the handler writes: drop it rather than buffer without bound.
            close(connection)
            return
        }
        if connection.streamChunked {
            connection.writeBuffer.append(contentsOf: Array(String(bytes.count, radix: 16).utf8))
            connection.writeBuffer.append(contentsOf: [0x0D, 0x0A])
            connection.writeBuffer.append(contentsOf: bytes)
            connection.writeBuffer.append(contentsOf: [0x0D, 0x0A])
        } else {
            connection.writeBuffer.append(contentsOf: bytes)
        }
        flush(connection)
    }

    func streamFinish(_ context: RequestContext) {
        guard let connection = connections[context.connectionID], connection.context === context,
              connection.phase == .streaming else { return }
        if connection.writeBuffer.count - connection.writeIndex > Self.maxStreamBacklog {
            // The peer reads far slower than the handler writes: drop it rather than buffer without bound.
            close(connection)
            return
        }
        if connection.streamChunked { connection.writeBuffer.append(contentsOf: Array("0\r\n\r\n".utf8)) }
        finishRequest(connection)
    }

    /// Serialises a complete response and ends the request.
    func send(_ connection: Connection, _ response: HTTPResponse, method: String, target: String, versionMinor: Int) {
        if draining { connection.keepAlive = false }
        let noBody = response.status == 204 || response.status == 304 || (100..<200).contains(response.status)
        let bodyBytes = noBody ? 0 : response.body.count
        connection.writeBuffer.append(contentsOf: serializeHead(status: response.status, headers: response.headers,
                                                                keepAlive: connection.keepAlive, versionMinor: versionMinor,
                                                                contentLength: noBody ? nil : response.body.count))
        if method != "HEAD" && !noBody { connection.writeBuffer.append(contentsOf: response.body) }
        log(connection, status: response.status, bytes: method == "HEAD" ? 0 : bodyBytes, method: method, target: target)
        finishRequest(connection)
    }

    private func finishRequest(_ connection: Connection) {
        connection.context = nil
        connection.head = nil
        connection.earlyResponse = nil
        if !connection.keepAlive || draining {
            connection.closeAfterWrite = true
            connection.phase = .inFlight  // nothing more is read
            flush(connection)
            return
        }
        connection.phase = .idle
        connection.keepAlive = true
        connection.deadline = monotonicNanos() + server.configuration.idleTimeout.nanosecondsClamped
        flush(connection)
        if !connection.closed { process(connection) }
    }

    func serializeHead(status: Int, headers: HTTPHeaders, keepAlive: Bool, versionMinor: Int, contentLength: Int?) -> [UInt8] {
        var text = "HTTP/1.1 \(status) \(HTTPResponse.reason(status))\r\n"
        for (name, value) in headers where !HTTPHeaders.equalsIgnoringCase(name, "Connection") {
            text += name
            text += ": "
            text += value
            text += "\r\n"
        }
        if let contentLength { text += "Content-Length: \(contentLength)\r\n" }
        text += server.dateHeader()
        if !keepAlive {
            text += "Connection: close\r\n"
        } else if versionMinor == 0 {
            text += "Connection: keep-alive\r\n"
        }
        text += "\r\n"
        return Array(text.utf8)
    }

    private func log(_ connection: Connection, status: Int, bytes: Int, method: String? = nil, target: String? = nil) {
        guard let accessLog = server.configuration.accessLog else { return }
        let elapsed = monotonicNanos() &- connection.requestStart
        accessLog(AccessLogEntry(method: method ?? connection.head?.method ?? "-", target: target ?? connection.head?.target ?? "-",
                                 route: connection.routePattern,
                                 status: status, bytes: bytes, duration: .nanoseconds(Int64(elapsed)),
                                 remoteAddress: connection.remoteAddress))
    }

    func flush(_ connection: Connection) {
        while connection.writeIndex < connection.writeBuffer.count {
            let sent: Int?
            do {
                sent = try nonBlockingSyscall("send") {
                    connection.writeBuffer.withUnsafeBytes {
                        Glibc.send(connection.fd, $0.baseAddress! + connection.writeIndex, $0.count - connection.writeIndex, Int32(MSG_NOSIGNAL))
                    }
                }
            } catch {
                close(connection)
                return
            }
            guard let n = sent else {
                if connection.lastWriteProgress == 0 { connection.lastWriteProgress = monotonicNanos() }
                updateInterest(connection)
                return
            }
            if n > 0 {
                connection.writeIndex += n
                connection.lastWriteProgress = monotonicNanos()
                continue
            }
            close(connection)
            return
        }
        connection.writeBuffer.removeAll(keepingCapacity: connection.writeBuffer.capacity <= 256 << 10)
        connection.writeIndex = 0
        connection.lastWriteProgress = 0
        if connection.closeAfterWrite {
            close(connection)
            return
        }
        updateInterest(connection)
    }

    /// Reads only while the connection can use the bytes; writes only while some are pending.
    func updateInterest(_ connection: Connection) {
        guard !connection.closed else { return }
        var wanted = EPOLLRDHUP.rawValue
        let buffered = connection.readBuffer.count - connection.readIndex
        let busy = connection.phase == .inFlight || connection.phase == .streaming
        if !(busy && buffered > 64 << 10) && !connection.closeAfterWrite { wanted |= EPOLLIN.rawValue }
        if connection.hasPendingWrite { wanted |= EPOLLOUT.rawValue }
        if wanted != connection.interest {
            connection.interest = wanted
            var ev = epoll_event()
            batch_epoll_event_set(&ev, wanted, connection.id)
            _ = epoll_ctl(epollFD, EPOLL_CTL_MOD, connection.fd, &ev)
        }
    }

    func close(_ connection: Connection) {
        guard !connection.closed else { return }
        connection.closed = true
        connection.context?.closed.store(true, ordering: .releasing)
        connections.removeValue(forKey: connection.id)
        _ = epoll_ctl(epollFD, EPOLL_CTL_DEL, connection.fd, nil)
        Glibc.close(connection.fd)
        server.releaseConnection(peer: connection.peer)
    }

    /// Enforces the header, body, idle and slow-reader timeouts.
    func sweep(_ now: UInt64) {
        server.refreshDate()
        let stall = server.configuration.bodyTimeout.nanosecondsClamped
        for connection in Array(connections.values) where !connection.closed {
            if connection.hasPendingWrite, connection.lastWriteProgress != 0, now &- connection.lastWriteProgress > stall {
                close(connection)
                continue
            }
            guard now > connection.deadline else { continue }
            switch connection.phase {
            case .idle:
                // Idle too long, or (before its first request) silent past the header timeout.
                if !connection.hasPendingWrite { close(connection) }
            case .readingHead, .readingBody:
                connection.keepAlive = false
                let what = connection.phase == .readingHead ? "request head" : "request body"
                send(connection, .problem(status: 408, detail: "the \(what) did not arrive in time"),
                     method: connection.head?.method ?? "-", target: connection.head?.target ?? "-", versionMinor: 1)
            case .inFlight, .streaming:
                break
            }
        }
    }
}

/// Constant-time comparison of a bearer token, so response time reveals nothing about the token.
enum BearerToken {
    static func matches(_ authorization: String?, _ token: String) -> Bool {
        guard let authorization else { return false }
        let prefix = "bearer "
        let given = Array(authorization.utf8)
        guard given.count >= prefix.utf8.count,
              String(decoding: given[0..<prefix.utf8.count], as: UTF8.self).lowercased() == prefix else { return false }
        let candidate = given[prefix.utf8.count...]
        let expected = Array(token.utf8)
        var difference = UInt8(truncatingIfNeeded: candidate.count ^ expected.count)
        for i in 0..<expected.count {
            let c = candidate.count > 0 ? candidate[candidate.startIndex + (i % candidate.count)] : 0
            difference |= c ^ expected[i]
        }
        return difference == 0 && candidate.count == expected.count
    }
}
