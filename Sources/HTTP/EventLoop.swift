import CSystem
import Dispatch
import FoundationEssentials
import Glibc
import Platform
import Synchronization

/// One epoll loop on a thread of its own, owning its connections.
///
/// `@unchecked Sendable`: every mutable field below `// loop-confined` is touched only on the loop's
/// thread; other threads reach the loop only through `run`, whose queue is a `Mutex` and whose wake-up is an eventfd.
final class EventLoop: @unchecked Sendable {
    let index: Int
    let epollFD: Int32
    let wakeFD: Int32
    unowned let server: ServerCore
    private let inbox = Mutex<[(EventLoop) -> Void]>([])
    private let wakePending = Atomic<Bool>(false)
    private let threadID = Atomic<UInt>(0)
    let stopped = DispatchSemaphore(value: 0)

    // loop-confined
    var connections: [UInt64: Connection] = [:]
    var running = true
    var accepting = true
    var draining = false
    var lastSweep: UInt64 = 0
    var readScratch = [UInt8](repeating: 0, count: 64 << 10)

    static let listenTag: UInt64 = 0
    static let wakeTag: UInt64 = 1

    init(index: Int, server: ServerCore) throws {
        self.index = index
        self.server = server
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        wakeFD = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard epollFD >= 0, wakeFD >= 0 else {
            throw HTTPServerError(description: "cannot create epoll/eventfd: \(Socket.errorText(batch_errno()))")
        }
        var ev = epoll_event()
        batch_epoll_event_set(&ev, EPOLLIN.rawValue, Self.wakeTag)
        _ = epoll_ctl(epollFD, EPOLL_CTL_ADD, wakeFD, &ev)
    }

    func startListening(_ fd: Int32) {
        var ev = epoll_event()
        batch_epoll_event_set(&ev, EPOLLIN.rawValue | EPOLLEXCLUSIVE.rawValue, Self.listenTag)
        _ = epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &ev)
    }

    var isLoopThread: Bool { threadID.load(ordering: .relaxed) == UInt(bitPattern: Int(bitPattern: pthread_self())) }

    /// Runs `work` on the loop: at once when called on it, otherwise queued.
    func run(_ work: @escaping @Sendable (EventLoop) -> Void) {
        if isLoopThread {
            work(self)
            return
        }
        inbox.withLock { $0.append(work) }
        if !wakePending.exchange(true, ordering: .acquiringAndReleasing) {
            var one: UInt64 = 1
            _ = write(wakeFD, &one, 8)
        }
    }

    func start() {
        startThread(name: "http-loop-\(index)", stackSize: 1 << 20) { [self] in loop() }
    }

    private func loop() {
        threadID.store(UInt(bitPattern: Int(bitPattern: pthread_self())), ordering: .relaxed)
        var events = [epoll_event](repeating: epoll_event(), count: 256)
        while running {
            let n: Int32
            do {
                n = try events.withUnsafeMutableBufferPointer { buffer in
                    try syscall("epoll_wait") { epoll_wait(epollFD, buffer.baseAddress, 256, 250) }
                }
            } catch {
                break
            }
            for i in 0..<Int(n) {
                let tag = batch_epoll_event_data(&events[i])
                let flags = batch_epoll_event_events(&events[i])
                switch tag {
                case Self.listenTag: acceptConnections()
                case Self.wakeTag: drainInbox()
                default:
                    guard let connection = connections[tag] else { continue }
                    handle(connection, flags: flags)
                }
            }
            let now = monotonicNanos()
            if now &- lastSweep >= 250_000_000 {
                lastSweep = now
                sweep(now)
            }
        }
        for connection in Array(connections.values) { close(connection) }
        Glibc.close(epollFD)
        Glibc.close(wakeFD)
        stopped.signal()
    }

    private func drainInbox() {
        var counter: UInt64 = 0
        _ = read(wakeFD, &counter, 8)
        wakePending.store(false, ordering: .releasing)
        let work = inbox.withLock { q -> [(EventLoop) -> Void] in
            let w = q
            q.removeAll(keepingCapacity: true)
            return w
        }
        for item in work { item(self) }
    }

    private func acceptConnections() {
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
            let connection = Connection(id: id, fd: fd, remoteAddress: Socket.describe(addr), peer: peer, acceptedAt: now,
                                        limits: server.configuration.parserLimits)
            // The first request's head is due within the header timeout, counted from now.
            connection.deadline = now + server.configuration.headerTimeout.nanosecondsClamped
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
            for c in connections.values where c.isEvictable && (peer == nil || c.peer == peer!) && !passedOver.contains(c.id) {
                guard let b = best else { best = c; continue }
                let silent = c.requests == 0, bestSilent = b.requests == 0
                if silent != bestSilent ? silent : c.deadline < b.deadline { best = c }
            }
            guard let victim = best else { return false }
            if Socket.hasUnreadInput(victim.fd) {
                passedOver.insert(victim.id)
                continue
            }
            close(victim)
            return true
        }
        return false
    }

    /// Stops accepting and closes idle connections; in-flight ones close after their answer.
    func beginDrain(listenFD: Int32) {
        accepting = false
        draining = true
        _ = epoll_ctl(epollFD, EPOLL_CTL_DEL, listenFD, nil)
        for connection in Array(connections.values) where connection.phase == .idle && !connection.hasPendingWrite {
            close(connection)
        }
    }

    func stop() {
        running = false
    }

    private func handle(_ connection: Connection, flags: UInt32) {
        if flags & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 {
            close(connection)
            return
        }
        if flags & EPOLLOUT.rawValue != 0 {
            flush(connection)
            if connection.closed { return }
        }
        if flags & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue) != 0 {
            readAvailable(connection)
        }
    }

    private func readAvailable(_ connection: Connection) {
        var gotBytes = false
        while true {
            let received: Int?
            do {
                received = try nonBlockingSyscall("recv") {
                    readScratch.withUnsafeMutableBytes { recv(connection.fd, $0.baseAddress, $0.count, 0) }
                }
            } catch {
                close(connection)
                return
            }
            guard let n = received else { break }
            if n > 0 {
                if connection.readIndex == connection.readBuffer.count {
                    connection.readBuffer.removeAll(keepingCapacity: true)
                    connection.readIndex = 0
                }
                connection.readBuffer.append(contentsOf: readScratch[0..<n])
                gotBytes = true
                if n < readScratch.count { break }
                if connection.phase == .inFlight || connection.phase == .streaming { break }
            } else {
                close(connection)
                return
            }
        }
        if gotBytes { process(connection) }
    }

    /// Parses and dispatches as many buffered requests as the connection's state allows.
    func process(_ connection: Connection) {
        guard !connection.processing else { return }
        connection.processing = true
        defer { connection.processing = false }
        while !connection.closed {
            switch connection.phase {
            case .inFlight, .streaming:
                updateInterest(connection)
                return
            case .idle:
                guard connection.hasBufferedInput else {
                    compact(connection)
                    updateInterest(connection)
                    return
                }
                connection.phase = .readingHead
                connection.requestStart = monotonicNanos()
                // A connection's first head is due from the accept, later ones from their first byte.
                let from = connection.requests == 0 ? connection.acceptedAt : connection.requestStart
                connection.deadline = from + server.configuration.headerTimeout.nanosecondsClamped
            case .readingHead, .readingBody:
                break
            }
            let event = connection.parser.next(connection.readBuffer, &connection.readIndex)
            switch event {
            case .needMore:
                compact(connection)
                updateInterest(connection)
                return
            case .error(let error):
                connection.keepAlive = false
                send(connection, HTTPResponse.problem(status: error.status, detail: error.reason),
                     method: connection.head?.method ?? "-", target: connection.head?.target ?? "-", versionMinor: 1)
                return
            case .head(let head):
                received(head, on: connection)
            case .body(let body):
                dispatch(body, on: connection)
            }
        }
    }

    private func compact(_ connection: Connection) {
        if connection.readIndex > 0 && connection.readIndex * 2 >= connection.readBuffer.count {
            connection.readBuffer.removeFirst(connection.readIndex)
            connection.readIndex = 0
        }
    }
}
