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
        stopped.signal()
    }

    /// The epoll and wake-up descriptors live as long as the loop object, not its thread: a
    /// handler or responder that answers after the stop still calls `run`, which writes to
    /// `wakeFD`. Closed at the stop, that number could already be another socket of the
    /// process, and the 8 bytes would land in it (a peer would read them as a request).
    deinit {
        Glibc.close(epollFD)
        Glibc.close(wakeFD)
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

    func stop() {
        running = false
    }

    private func handle(_ connection: Connection, flags: UInt32) {
        if flags & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 {
            execute(connection.machine.peerClosed(), on: connection)
            return
        }
        if flags & EPOLLOUT.rawValue != 0 {
            flush(connection)
            if connection.machine.isClosed { return }
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
                execute(connection.machine.peerClosed(), on: connection)
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
                if connection.machine.isAnswering { break }
            } else {
                execute(connection.machine.peerClosed(), on: connection)
                return
            }
        }
        if gotBytes { process(connection) }
    }

    /// Parses and dispatches as many buffered requests as the connection's state allows.
    func process(_ connection: Connection) {
        guard !connection.parsing else { return }
        connection.parsing = true
        defer { connection.parsing = false }
        parsing: while connection.machine.inputReady(hasBufferedInput: connection.hasBufferedInput, now: monotonicNanos()) == .parse {
            switch connection.parser.next(connection.readBuffer, &connection.readIndex) {
            case .needMore:
                break parsing
            case .error(let error):
                perform(connection.machine.parseFailed(now: monotonicNanos()), on: connection,
                        answer: .problem(status: error.status, detail: error.reason))
            case .head(let head):
                received(head, on: connection)
            case .body(let body):
                perform(connection.machine.bodyReceived(now: monotonicNanos()), on: connection,
                        answer: connection.earlyResponse ?? Self.noRoute(connection.head), body: body)
            }
        }
        guard !connection.machine.isClosed else { return }
        compact(connection)
        updateInterest(connection)
    }

    private func compact(_ connection: Connection) {
        if connection.readIndex > 0 && connection.readIndex * 2 >= connection.readBuffer.count {
            connection.readBuffer.removeFirst(connection.readIndex)
            connection.readIndex = 0
        }
    }
}
