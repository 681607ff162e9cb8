import CHiredis
import Glibc
import Platform

/// One connection to Redis over hiredis; synchronous and not thread-safe.
///
/// Every method blocks the calling thread, so call it from a thread or serial queue of your own,
/// never from Swift's cooperative pool. After an I/O error or a timeout the hiredis context is
/// discarded; the next call connects again (once, without backoff: that is `RedisClient`'s job).
public final class RedisConnection: @unchecked Sendable {
    // @unchecked Sendable: the class wraps a hiredis context (a C pointer) and is used by one
    // thread at a time; `RedisClient`'s pool hands each connection to exactly one borrower, and a
    // dedicated connection belongs to its caller. It must never be shared concurrently.

    public let url: RedisURL
    public let options: RedisOptions
    /// Where this connection points, as `host:port` or a socket path (the master's, behind Sentinel).
    public private(set) var address: String

    private var context: UnsafeMutablePointer<redisContext>?
    private var readTimeout: Duration?
    private var connectTimeout: Duration
    private var isClosed = false
    private var wireBuffer: [UInt8] = []
    /// Where hiredis' parser builds this connection's replies.
    private let arena = ReplyArena()

    /// Connects, then AUTH and SELECT as the URL says; behind Sentinel, asks the sentinels for the master first.
    public init(url: RedisURL, options: RedisOptions = .init()) throws {
        self.url = url
        self.options = options
        self.readTimeout = options.readTimeout
        self.address = url.description
        self.connectTimeout = options.connectTimeout
        try connect()
    }

    /// Connects with a shorter first connect timeout (what is left of a retry deadline).
    init(url: RedisURL, options: RedisOptions, connectTimeout: Duration) throws {
        self.url = url
        self.options = options
        self.readTimeout = options.readTimeout
        self.address = url.description
        self.connectTimeout = min(connectTimeout, options.connectTimeout)
        try connect()
        self.connectTimeout = options.connectTimeout
    }

    deinit {
        if let context { redisFree(context) }
    }

    /// Whether a hiredis context is open (it is dropped after an I/O error or timeout).
    public var isConnected: Bool { context != nil }

    /// Sends one command and waits for its reply.
    /// An error reply throws `RedisError.server(message)` and leaves the connection usable.
    @discardableResult
    public func send(_ command: RedisCommand) throws -> RedisReply {
        let reply = try pipeline(CollectionOfOne(command))[0]
        if case .error(let message) = reply { throw serverError(message) }
        return reply
    }

    /// Sends one command given as its arguments.
    @discardableResult
    public func send(_ args: any RedisArgument...) throws -> RedisReply {
        try send(RedisCommand(args))
    }

    /// Sends all commands in one write and reads all replies; error replies come back inline as `.error`.
    public func pipeline(_ commands: [RedisCommand]) throws -> [RedisReply] {
        try pipeline(commands[...])
    }

    private func pipeline<C: Collection<RedisCommand>>(_ commands: C) throws -> [RedisReply] {
        let ctx = try liveContext()
        if commands.isEmpty { return [] }
        wireBuffer.removeAll(keepingCapacity: true)
        for command in commands { command.encode(into: &wireBuffer) }
        // Written here rather than by hiredis (its output buffer stays empty, so `redisGetReply`
        // only reads): only here is it known whether any byte left, which decides between
        // "nothing was sent" and "sent, outcome unknown" when the write fails.
        try write(ctx, during: commands.first?.name ?? "")
        if wireBuffer.count > 1 << 20 { wireBuffer = [] }  // don't pin a huge pipeline's buffer
        var replies = [RedisReply]()
        replies.reserveCapacity(commands.count)
        for command in commands {
            arena.reset()
            var raw: UnsafeMutableRawPointer?
            guard redisGetReply(ctx, &raw) == REDIS_OK, let raw else {
                throw discard(ctx, during: command.name)
            }
            replies.append(arena.reply(root: raw))
        }
        arena.reset()
        return replies
    }

    /// Sends `wireBuffer` whole on the blocking socket (bounded by the send timeout hiredis set
    /// with the read timeout). A failure before any byte went out is `.notSent`; after some did,
    /// `.timeout` or `.io`, saying the command may or may not run. Either way the context is dropped.
    private func write(_ ctx: UnsafeMutablePointer<redisContext>, during what: String) throws {
        let total = wireBuffer.count
        var sent = 0
        while sent < total {
            let n: Int
            let code: Int32
            do {
                n = try syscall("send") {
                    wireBuffer.withUnsafeBytes { Glibc.send(ctx.pointee.fd, $0.baseAddress! + sent, total - sent, Int32(MSG_NOSIGNAL)) }
                }
                if n > 0 {
                    sent += n
                    continue
                }
                code = 0
            } catch {
                n = -1
                code = error.errno
            }
            redisFree(ctx)
            context = nil
            let reason = n == 0 ? "the socket accepted no bytes" : String(cString: strerror(code))
            let doing = what.isEmpty ? "" : " during \(what)"
            if sent == 0 {
                throw RedisError.notSent("redis at \(address)\(doing): writing failed before any byte went out (\(reason)); the connection was dropped")
            }
            let partly = "writing stopped after \(sent) of \(total) bytes (\(reason)); the command may or may not run; the connection was dropped"
            if code == EAGAIN || code == EWOULDBLOCK {
                throw RedisError.timeout("redis at \(address)\(doing): \(partly)")
            }
            throw RedisError.io("redis at \(address)\(doing): \(partly)")
        }
    }

    /// Runs a script by `EVALSHA`; when Redis lacks it (`NOSCRIPT`, e.g. after `SCRIPT FLUSH` or a
    /// restart) sends it in full with `EVAL`, which also caches it again.
    @discardableResult
    public func eval(_ script: RedisScript, keys: [any RedisArgument], args: [any RedisArgument]) throws -> RedisReply {
        try eval(script, keyBytes: keys.map(\.redisBytes), argBytes: args.map(\.redisBytes))
    }

    func eval(_ script: RedisScript, keyBytes: [[UInt8]], argBytes: [[UInt8]]) throws -> RedisReply {
        do {
            return try send(script.evalShaCommand(keys: keyBytes, args: argBytes))
        } catch RedisError.server(let message) where message.hasPrefix("NOSCRIPT") {
            return try send(script.evalCommand(keys: keyBytes, args: argBytes))
        }
    }

    /// Runs one script many times in one round trip (pipelined `EVALSHA`s), one reply per argument
    /// list, error replies inline. Calls that Redis refused with `NOSCRIPT` did not run: they are
    /// sent again with `EVAL`, which also caches the script.
    public func evalMany(_ script: RedisScript, argLists: [[[UInt8]]]) throws -> [RedisReply] {
        var replies = try pipeline(argLists.map { script.evalShaCommand(keys: [], args: $0) })
        let missing = replies.indices.filter { replies[$0].errorMessage?.hasPrefix("NOSCRIPT") ?? false }
        if missing.isEmpty { return replies }
        let again = try pipeline(missing.map { script.evalCommand(keys: [], args: argLists[$0]) })
        for (i, reply) in zip(missing, again) { replies[i] = reply }
        return replies
    }

    /// Changes the read timeout; `nil` blocks forever (for `XREAD BLOCK 0`, `SUBSCRIBE`).
    public func setReadTimeout(_ timeout: Duration?) throws {
        if timeout == readTimeout { return }
        readTimeout = timeout
        guard let context else { return }
        if redisSetTimeout(context, (timeout ?? .zero).timeval) != REDIS_OK {
            throw discard(context, during: "setting the read timeout")
        }
    }

    /// Closes the connection; later calls throw `RedisError.closed`.
    public func close() {
        isClosed = true
        if let context { redisFree(context) }
        context = nil
    }

    /// False when the server closed the socket (or sent something unasked) while the connection sat idle.
    /// Checked before reusing a pooled connection, so a restart of Redis is noticed before a command is written.
    func looksAlive() -> Bool {
        guard let context, context.pointee.err == 0 else { return false }
        var pfd = pollfd(fd: context.pointee.fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&pfd, 1, 0)
        return ready == 0
    }

    // MARK: connecting

    private func liveContext() throws -> UnsafeMutablePointer<redisContext> {
        if isClosed { throw RedisError.closed }
        if let context { return context }
        try connect()
        guard let context else { throw RedisError.closed }
        return context
    }

    private func connect() throws {
        if let context { redisFree(context) }
        context = nil
        let ctx: UnsafeMutablePointer<redisContext>
        switch url.endpoint {
        case .tcp(let hp):
            address = hp.description
            ctx = try open(tcp: hp)
        case .unix(let path):
            address = path
            ctx = try open(unix: path)
        case .sentinel(let nodes, let name):
            let master = try Self.discoverMaster(nodes: nodes, name: name, options: options)
            address = master.description
            ctx = try open(tcp: master)
        }
        arena.attach(to: ctx)
        context = ctx
        do {
            try handshake()
        } catch let error as RedisError {
            if let context { redisFree(context) }
            context = nil
            // Nothing of the caller's was written yet: an I/O failure here is a failure to connect.
            switch error {
            case .io(let m), .timeout(let m), .notSent(let m): throw RedisError.unreachable(m)
            default: throw error
            }
        }
    }

    private func open(tcp hp: RedisURL.HostPort) throws -> UnsafeMutablePointer<redisContext> {
        try checkOpened(redisConnectWithTimeout(hp.host, Int32(hp.port), connectTimeout.timeval))
    }

    private func open(unix path: String) throws -> UnsafeMutablePointer<redisContext> {
        try checkOpened(redisConnectUnixWithTimeout(path, connectTimeout.timeval))
    }

    private func checkOpened(_ ctx: UnsafeMutablePointer<redisContext>?) throws -> UnsafeMutablePointer<redisContext> {
        guard let ctx else { throw RedisError.unreachable("redis at \(address): out of memory creating a connection") }
        if ctx.pointee.err != 0 {
            let reason = errorText(ctx)
            redisFree(ctx)
            throw RedisError.unreachable("redis at \(address): \(reason)")
        }
        if redisSetTimeout(ctx, (readTimeout ?? .zero).timeval) != REDIS_OK {
            let reason = errorText(ctx)
            redisFree(ctx)
            throw RedisError.unreachable("redis at \(address): cannot set the read timeout: \(reason)")
        }
        return ctx
    }

    private func handshake() throws {
        if let password = url.password {
            var auth: [any RedisArgument] = ["AUTH"]
            if let user = url.username { auth.append(user) }
            auth.append(password)
            let reply = try pipeline(CollectionOfOne(RedisCommand(auth)))[0]
            if case .error(let message) = reply {
                let who = url.username.map { "user \"\($0)\"" } ?? "the default user"
                throw RedisError.authFailed("redis at \(address) refused AUTH for \(who): \(message); check the credentials in the URL")
            }
        }
        if url.database != 0 {
            let reply = try pipeline(CollectionOfOne(RedisCommand("SELECT", url.database)))[0]
            if case .error(let message) = reply {
                if message.hasPrefix("NOAUTH") { throw serverError(message) }
                throw RedisError.server("redis at \(address) refused SELECT \(url.database): \(message); check the /db part of the URL")
            }
        }
        if case .sentinel(_, let name) = url.endpoint {
            // Sentinel can lag behind a failover; only a server that says it is master will do.
            let role = try pipeline(CollectionOfOne(RedisCommand("ROLE")))[0]
            guard role.array?.first?.string == "master" else {
                throw RedisError.unreachable("sentinel named \(address) as master \"\(name)\", but it reports role \(role.array?.first?.string ?? "unknown") (failover in progress?)")
            }
        }
    }

    // MARK: errors

    private func serverError(_ message: String) -> RedisError {
        if message.hasPrefix("NOAUTH") {
            return .authFailed("redis at \(address) requires a password: \(message); set redis.password-file (or put it in the URL as redis://:PASSWORD@host:port/db)")
        }
        return RedisError(reply: message)
    }

    /// Turns the context's error into a `RedisError` and throws the context away: hiredis cannot reuse it.
    private func discard(_ ctx: UnsafeMutablePointer<redisContext>, during what: String) -> RedisError {
        let savedErrno = errno
        let code = ctx.pointee.err
        let text = errorText(ctx)
        redisFree(ctx)
        context = nil
        let doing = what.isEmpty ? "" : " during \(what)"
        if code == REDIS_ERR_IO && (savedErrno == EAGAIN || savedErrno == EWOULDBLOCK || text.contains("temporarily unavailable")) {
            let limit = readTimeout.map { "\($0)" } ?? "the read timeout"
            return .timeout("redis at \(address): no reply within \(limit)\(doing); the command was sent and may or may not run; the connection was dropped")
        }
        if code == REDIS_ERR_PROTOCOL {
            return .protocolError("redis at \(address)\(doing): \(text)")
        }
        return .io("redis at \(address)\(doing): \(text.isEmpty ? "connection error \(code)" : text) after the command was sent; it may or may not have run")
    }

    private func errorText(_ ctx: UnsafeMutablePointer<redisContext>) -> String {
        var errstr = ctx.pointee.errstr
        let text = withUnsafeBytes(of: &errstr) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        guard let first = text.first else { return text }
        return first.lowercased() + text.dropFirst()
    }
}
