import CSystem
import Glibc
import Platform

/// Admission: accepting within the connection limits, refusing or evicting at them, and the drain.
extension EventLoop {
    func acceptConnections() {
        guard accepting else { return }
        for _ in 0..<64 {
            var addr = sockaddr_in()
            var len = socklen_t(MemoryLayout<sockaddr_in>.size)
            let accepted = try? nonBlockingSyscall("accept4") {
                withUnsafeMutablePointer(to: &addr) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        accept4(server.listenFD, $0, &len, Int32(SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue))
                    }
                }
            }
            // Nothing left in the backlog, or a failure (EMFILE and the like): wait for the next readiness.
            guard let fd = accepted else { return }
            let peer = addr.sin_addr.s_addr
            var admission = server.admitConnection(peer: peer)
            // At a limit, a connection that sits between requests (or never sent one) makes room:
            // closing it loses no request, and idle connections cannot lock out new clients.
            if admission != .admitted && evictIdleConnection(from: admission == .peerFull ? peer : nil) {
                admission = server.admitConnection(peer: peer)
            }
            guard admission == .admitted else {
                refuse(fd, admission, peer: Socket.describe(addr))
                continue
            }
            Socket.noDelay(fd)
            let id = server.nextID()
            let now = monotonicNanos()
            let machine = ConnectionMachine(acceptedAt: now, timeouts: server.configuration.connectionTimeouts)
            let connection = Connection(id: id, fd: fd, remoteAddress: Socket.describe(addr), peer: peer, machine: machine,
                                        limits: server.configuration.parserLimits)
            connections[id] = connection
            var ev = epoll_event()
            connection.interest = EPOLLIN.rawValue | EPOLLRDHUP.rawValue
            batch_epoll_event_set(&ev, connection.interest, id)
            _ = epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &ev)
        }
    }

    /// Over a limit: a problem document saying which, then close, so the client knows to back off.
    private func refuse(_ fd: Int32, _ admission: ServerCore.Admission, peer: String) {
        let c = server.configuration
        let response: HTTPResponse
        if admission == .peerFull {
            let host = peer.split(separator: ":").first.map(String.init) ?? peer
            response = .problem(status: 429,
                                detail: "\(host) holds \(c.maxConnectionsPerPeer) connections, the most one peer may (http.max-connections-per-peer); reuse or close one")
        } else {
            response = .problem(status: 503,
                                detail: "the server holds \(c.maxConnections) connections, its limit (http.max-connections); try again shortly")
        }
        var text = "HTTP/1.1 \(response.status) \(HTTPResponse.reason(response.status))\r\n"
        text += "Content-Type: application/problem+json\r\nContent-Length: \(response.body.count)\r\nConnection: close\r\nRetry-After: 1\r\n"
        text += server.dateHeader() + "\r\n"
        let bytes = Array(text.utf8) + response.body
        _ = Glibc.send(fd, bytes, bytes.count, Int32(MSG_NOSIGNAL))
        Glibc.close(fd)
    }

    /// Closes one connection of this loop that sits between requests (of `peer`, when given):
    /// one that never sent a request first, then the one idle the longest. False when none does.
    /// A connection whose next bytes wait unread in the kernel is not idle: this loop has not
    /// read them yet (a busy loop handles the accept before the read), and closing it would lose
    /// a request the client already sent. Only the chosen one is asked (one syscall, not one per
    /// connection); after a few such, the newcomer is refused rather than the scan repeated.
    private func evictIdleConnection(from peer: UInt32?) -> Bool {
        var passedOver: Set<UInt64> = []
        while passedOver.count < 8 {
            var best: Connection?
            for c in connections.values where c.machine.isEvictable(hasBufferedInput: c.hasBufferedInput)
                && (peer == nil || c.peer == peer!) && !passedOver.contains(c.id) {
                if best.map({ c.machine.evictsBefore($0.machine) }) ?? true { best = c }
            }
            guard let victim = best else { return false }
            let action = victim.machine.evict(hasUnreadInput: Socket.hasUnreadInput(victim.fd))
            guard action != .none else {
                passedOver.insert(victim.id)
                continue
            }
            execute(action, on: victim)
            return true
        }
        return false
    }

    /// Stops accepting and closes idle connections; in-flight ones close after their answer.
    func beginDrain(listenFD: Int32) {
        accepting = false
        _ = epoll_ctl(epollFD, EPOLL_CTL_DEL, listenFD, nil)
        for connection in Array(connections.values) { execute(connection.machine.drain(), on: connection) }
    }
}
