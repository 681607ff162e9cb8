import CSystem
import Glibc
import Platform

/// Streamed responses, writes, closes and the timer sweep: the I/O behind the machine's actions.
extension EventLoop {
    func streamStart(_ context: RequestContext, status: Int, headers: HTTPHeaders) {
        guard let connection = connections[context.connectionID], connection.context === context,
              let head = connection.head,
              case .write(let chunked, let keepAlive) = connection.machine.streamStarted() else { return }
        var headers = headers
        headers.remove("Content-Length")
        if chunked { headers.set("Transfer-Encoding", "chunked") }
        connection.writeBuffer.append(contentsOf: serializeHead(status: status, headers: headers, keepAlive: keepAlive,
                                                                versionMinor: head.versionMinor, contentLength: nil))
        flush(connection)
        log(connection, status: status, bytes: 0)
    }

    func streamWrite(_ context: RequestContext, _ bytes: [UInt8]) {
        guard let connection = connections[context.connectionID], connection.context === context else { return }
        switch connection.machine.chunkReady(backlog: connection.writeBuffer.count - connection.writeIndex) {
        case .ignore:
            return
        case .close:
            close(connection)
        case .write(let chunked, _):
            if chunked {
                connection.writeBuffer.append(contentsOf: Array(String(bytes.count, radix: 16).utf8))
                connection.writeBuffer.append(contentsOf: [0x0D, 0x0A])
                connection.writeBuffer.append(contentsOf: bytes)
                connection.writeBuffer.append(contentsOf: [0x0D, 0x0A])
            } else {
                connection.writeBuffer.append(contentsOf: bytes)
            }
            flush(connection)
        }
    }

    func streamFinish(_ context: RequestContext) {
        guard let connection = connections[context.connectionID], connection.context === context else { return }
        switch connection.machine.streamFinished(backlog: connection.writeBuffer.count - connection.writeIndex, now: monotonicNanos()) {
        case .ignore:
            return
        case .close:
            close(connection)
        case .write(let chunked, let keepAlive):
            if chunked { connection.writeBuffer.append(contentsOf: Self.lastChunk) }
            endRequest(connection, keepAlive: keepAlive)
        }
    }

    static let lastChunk = Array("0\r\n\r\n".utf8)

    func flush(_ connection: Connection) {
        guard !connection.machine.isClosed else { return }
        var progressed = false
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
                connection.machine.writeBlocked(progressed: progressed, now: monotonicNanos())
                updateInterest(connection)
                return
            }
            if n > 0 {
                connection.writeIndex += n
                progressed = true
                continue
            }
            close(connection)
            return
        }
        connection.writeBuffer.removeAll(keepingCapacity: connection.writeBuffer.capacity <= 256 << 10)
        connection.writeIndex = 0
        execute(connection.machine.writeDrained(), on: connection)
        updateInterest(connection)
    }

    /// Reads only while the machine can use the bytes; writes only while some are pending.
    func updateInterest(_ connection: Connection) {
        guard !connection.machine.isClosed else { return }
        var wanted = EPOLLRDHUP.rawValue
        if connection.machine.wantsInput(buffered: connection.readBuffer.count - connection.readIndex) { wanted |= EPOLLIN.rawValue }
        if connection.hasPendingWrite { wanted |= EPOLLOUT.rawValue }
        if wanted != connection.interest {
            connection.interest = wanted
            var ev = epoll_event()
            batch_epoll_event_set(&ev, wanted, connection.id)
            _ = epoll_ctl(epollFD, EPOLL_CTL_MOD, connection.fd, &ev)
        }
    }

    /// Does what the machine decided on a timer, drain, eviction, finished write or the peer's close.
    func execute(_ action: ConnectionMachine.Action, on connection: Connection) {
        switch action {
        case .none:
            return
        case .close:
            close(connection)
        case .answerTimeout(let part):
            let what = part == .head ? "request head" : "request body"
            send(connection, .problem(status: 408, detail: "the \(what) did not arrive in time"), keepAlive: false)
        }
    }

    func close(_ connection: Connection) {
        guard connections.removeValue(forKey: connection.id) != nil else { return }
        connection.machine.close(.failed)
        connection.context?.closed.store(true, ordering: .releasing)
        _ = epoll_ctl(epollFD, EPOLL_CTL_DEL, connection.fd, nil)
        Glibc.close(connection.fd)
        server.releaseConnection(peer: connection.peer)
    }

    /// Enforces the header, body, idle and slow-reader timeouts.
    func sweep(_ now: UInt64) {
        server.refreshDate()
        for connection in Array(connections.values) {
            execute(connection.machine.timerFired(now: now), on: connection)
        }
    }
}
