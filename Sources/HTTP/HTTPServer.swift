import CSystem
import Dispatch
import FoundationEssentials
import Glibc
import Platform
import Synchronization

/// What the loops share: configuration, router, handler pool, counters.
final class ServerCore: Sendable {
    let configuration: HTTPServerConfiguration
    let router: Router
    let pool: HandlerPool
    let listenFD: Int32
    private let ids = Atomic<UInt64>(16)
    let connectionCount = Atomic<Int>(0)
    private let date = Mutex<(second: Int, header: String)>((0, ""))

    init(configuration: HTTPServerConfiguration, router: Router, listenFD: Int32) {
        self.configuration = configuration
        self.router = router
        self.listenFD = listenFD
        pool = HandlerPool(threads: configuration.handlerThreads, name: "http-handler")
    }

    func nextID() -> UInt64 { ids.add(1, ordering: .relaxed).newValue }

    /// Open connections by peer address.
    private let perPeer = Mutex<[UInt32: Int]>([:])

    enum Admission: Equatable {
        case admitted
        /// `maxConnections` are open.
        case serverFull
        /// This peer holds `maxConnectionsPerPeer`.
        case peerFull
    }

    func admitConnection(peer: UInt32) -> Admission {
        if connectionCount.add(1, ordering: .relaxed).newValue > configuration.maxConnections {
            connectionCount.subtract(1, ordering: .relaxed)
            return .serverFull
        }
        let admitted = perPeer.withLock { counts -> Bool in
            let n = counts[peer, default: 0]
            if n >= configuration.maxConnectionsPerPeer { return false }
            counts[peer] = n + 1
            return true
        }
        if !admitted {
            connectionCount.subtract(1, ordering: .relaxed)
            return .peerFull
        }
        return .admitted
    }

    func releaseConnection(peer: UInt32) {
        perPeer.withLock { counts in
            let n = counts[peer, default: 1] - 1
            if n <= 0 { counts[peer] = nil } else { counts[peer] = n }
        }
        connectionCount.subtract(1, ordering: .relaxed)
    }

    /// `Date: ...\r\n`, recomputed at most once a second.
    func dateHeader() -> String {
        let now = time(nil)
        return date.withLock { cached in
            if cached.second != now { cached = (now, Self.formatDate(now)) }
            return cached.header
        }
    }

    func refreshDate() { _ = dateHeader() }

    static func formatDate(_ t: Int) -> String {
        var seconds = t
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var buffer = [CChar](repeating: 0, count: 64)
        let n = strftime(&buffer, 64, "%a, %d %b %Y %H:%M:%S GMT", &parts)
        return "Date: " + String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) + "\r\n"
    }
}

/// An HTTP/1.1 server: epoll loops for I/O, a bounded thread pool for blocking handlers.
public final class HTTPServer: Sendable {
    public let configuration: HTTPServerConfiguration
    public let router: Router
    private let state = Mutex<(core: ServerCore?, loops: [EventLoop], stopped: Bool)>((nil, [], false))

    public init(configuration: HTTPServerConfiguration, router: Router) {
        self.configuration = configuration
        self.router = router
    }

    /// Binds and listens; when it returns the port accepts connections.
    public func start() throws {
        signal(SIGPIPE, SIG_IGN)
        guard var addr = Socket.address(configuration.host, configuration.port) else {
            throw HTTPServerError(description: "listen address \(configuration.host) is not an IPv4 address; use e.g. 127.0.0.1")
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw HTTPServerError(description: "socket(): \(Socket.errorText(batch_errno()))") }
        Socket.setOption(fd, SOL_SOCKET, SO_REUSEADDR)
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            let e = batch_errno()
            Glibc.close(fd)
            throw HTTPServerError(description: "cannot listen on \(configuration.host):\(configuration.port): \(Socket.errorText(e)); choose another --listen address")
        }
        guard listen(fd, 4096) == 0 else {
            let e = batch_errno()
            Glibc.close(fd)
            throw HTTPServerError(description: "listen() on \(configuration.host):\(configuration.port): \(Socket.errorText(e))")
        }
        let core = ServerCore(configuration: configuration, router: router, listenFD: fd)
        var loops: [EventLoop] = []
        for i in 0..<max(1, configuration.eventLoops) {
            let loop = try EventLoop(index: i, server: core)
            loop.startListening(fd)
            loop.start()
            loops.append(loop)
        }
        state.withLock { $0 = (core, loops, false) }
    }

    /// The port the server listens on (useful with port 0).
    public var boundPort: Int {
        state.withLock { $0.core.map { Socket.localPort($0.listenFD) } ?? 0 }
    }

    /// Open connections right now.
    public var connectionCount: Int {
        state.withLock { $0.core?.connectionCount.load(ordering: .relaxed) ?? 0 }
    }

    /// The event loops (for tests that need one to run something on its thread).
    var eventLoops: [EventLoop] { state.withLock { $0.loops } }

    /// Stops accepting, closes idle connections, lets in-flight requests finish until `deadline`,
    /// then closes whatever is left and ends the threads. Blocks the caller.
    public func shutdown(deadline: Duration = .seconds(10)) {
        let (core, loops) = state.withLock { s -> (ServerCore?, [EventLoop]) in
            if s.stopped { return (nil, []) }
            s.stopped = true
            return (s.core, s.loops)
        }
        guard let core else { return }
        let drained = DispatchSemaphore(value: 0)
        for loop in loops {
            loop.run { loop in
                loop.beginDrain(listenFD: core.listenFD)
                drained.signal()
            }
        }
        for _ in loops { drained.wait() }
        Glibc.close(core.listenFD)
        let end = monotonicNanos() + deadline.nanosecondsClamped
        while core.connectionCount.load(ordering: .relaxed) > 0 && monotonicNanos() < end {
            usleep(5_000)
        }
        for loop in loops { loop.run { $0.stop() } }
        for loop in loops { loop.stopped.wait() }
        core.pool.shutdown()
    }

    deinit {
        shutdown(deadline: .zero)
    }
}
