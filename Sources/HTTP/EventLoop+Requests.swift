import CSystem
import Glibc
import Platform

extension EventLoop {
    static let mutatingMethods: Set<String> = ["POST", "PUT", "PATCH", "DELETE"]

    func received(_ head: HTTPRequestHead, on connection: Connection) {
        connection.head = head
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
        // An early answer with a body to come goes now, rather than after a body nobody wants.
        perform(connection.machine.headReceived(head, early: connection.earlyResponse != nil, now: monotonicNanos()),
                on: connection, answer: connection.earlyResponse ?? Self.noRoute(head))
    }

    /// Does what the machine decided about the request being read: `answer` is what an
    /// `.answer` action sends, `body` what a `.dispatch` hands to the handler.
    func perform(_ action: ConnectionMachine.RequestAction, on connection: Connection,
                 answer: @autoclosure () -> HTTPResponse, body: [UInt8] = []) {
        switch action {
        case .readBody(let sendContinue):
            guard sendContinue else { return }
            connection.writeBuffer.append(contentsOf: Self.continueBytes)
            flush(connection)
        case .dispatch:
            dispatch(body, on: connection)
        case .answer(let keepAlive):
            send(connection, answer(), keepAlive: keepAlive)
        }
    }

    static func noRoute(_ head: HTTPRequestHead?) -> HTTPResponse {
        .problem(status: 404, detail: "no route for \(head.map { HTTPRequest.split($0.target).0 } ?? "-")")
    }

    static let continueBytes = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    private func dispatch(_ body: [UInt8], on connection: Connection) {
        guard let head = connection.head, let (handler, parameters, _) = connection.matched else {
            reply(connection, Self.noRoute(connection.head))
            return
        }
        var request = HTTPRequest(method: head.method, target: head.target, headers: head.headers, body: body,
                                  remoteAddress: connection.remoteAddress, versionMinor: head.versionMinor)
        request.pathParameters = parameters.mapValues { HTTPRequest.percentDecode($0, plusIsSpace: false) ?? $0 }
        let context = RequestContext(id: server.nextID(), connectionID: connection.id)
        connection.context = context
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
        guard let connection = connections[context.connectionID], connection.context === context else { return }
        reply(connection, response)
    }

    /// Sends a handler's answer, when the machine still waits for one.
    private func reply(_ connection: Connection, _ response: HTTPResponse) {
        guard case .write(let keepAlive) = connection.machine.responseReady(now: monotonicNanos()) else { return }
        send(connection, response, keepAlive: keepAlive)
    }

    /// Serialises a complete response and ends the request; with `keepAlive`, the next one is parsed.
    func send(_ connection: Connection, _ response: HTTPResponse, keepAlive: Bool) {
        let method = connection.head?.method ?? "-"
        let noBody = response.status == 204 || response.status == 304 || (100..<200).contains(response.status)
        let bodyBytes = noBody ? 0 : response.body.count
        connection.writeBuffer.append(contentsOf: serializeHead(status: response.status, headers: response.headers,
                                                                keepAlive: keepAlive, versionMinor: connection.head?.versionMinor ?? 1,
                                                                contentLength: noBody ? nil : response.body.count))
        if method != "HEAD" && !noBody { connection.writeBuffer.append(contentsOf: response.body) }
        log(connection, status: response.status, bytes: method == "HEAD" ? 0 : bodyBytes)
        endRequest(connection, keepAlive: keepAlive)
    }

    /// Forgets the answered request, writes what is pending, and parses on when the connection stays open.
    func endRequest(_ connection: Connection, keepAlive: Bool) {
        connection.context = nil
        connection.head = nil
        connection.earlyResponse = nil
        flush(connection)
        if keepAlive && !connection.machine.isClosed { process(connection) }
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

    func log(_ connection: Connection, status: Int, bytes: Int) {
        guard let accessLog = server.configuration.accessLog else { return }
        let elapsed = monotonicNanos() &- connection.machine.requestStartedAt
        accessLog(AccessLogEntry(method: connection.head?.method ?? "-", target: connection.head?.target ?? "-",
                                 route: connection.routePattern,
                                 status: status, bytes: bytes, duration: .nanoseconds(Int64(elapsed)),
                                 remoteAddress: connection.remoteAddress))
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
