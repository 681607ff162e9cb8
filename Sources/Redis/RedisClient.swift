import Platform
import Dispatch
import Synchronization

/// A thread-safe Redis client: a bounded pool of connections, reconnects with capped jittered
/// backoff, and Sentinel re-discovery after a failover or a `READONLY` answer.
///
/// Every synchronous method blocks the calling thread: call it from a thread or a serial queue.
/// The `…Async` variants run on the client's own threads and never block Swift's cooperative pool.
///
/// Retry policy — what is repeated and what is not:
/// - Failing to *connect* (refused, unreachable, AUTH/handshake I/O, Sentinel naming no master) is
///   retried with backoff until `options.connectTimeout` has passed in total; then
///   `RedisError.unreachable` is thrown. For `options.failFastWindow` after that, calls try once and
///   fail at once, so a caller can answer "unavailable" immediately while Redis is down.
/// - A pooled connection that the server closed while idle is noticed *before* writing (a zero-time
///   poll of its socket) and replaced; the command is then written once, on the new connection.
/// - A connection that breaks *after* the command was written (`.io`, `.timeout`) is never retried:
///   the command may have run. The error goes to the caller, who knows whether repeating is safe.
/// - While Redis is known to be down (see `RedisHealth`: no connection, a failed write, no reply
///   within the read timeout, `LOADING`), pooled calls send nothing and fail at once with
///   `.unreachable` or `.loading` (`neverRan`); a probe thread finds Redis serving again.
/// - Behind Sentinel, a `READONLY` error reply (we reached a demoted master: nothing was written)
///   drops the pooled connections and repeats the command once on the newly discovered master.
public final class RedisClient: Sendable {
    public let url: RedisURL
    public let options: RedisOptions

    private let idle = Mutex<[RedisConnection]>([])
    private let state = Mutex(ClientState())
    /// Counts free pool slots; DispatchSemaphore because a borrower may wait for one to free up.
    private let slots: DispatchSemaphore
    /// Runs the async API's blocking work (see RedisClient+Async.swift).
    let executor: BlockingExecutor
    /// What the calls tell of Redis' state; refuses calls while it is down.
    let monitor: RedisHealthMonitor
    /// Told of every call's duration and failure (metrics); nil for none.
    let observer: RedisCallObserver?

    private struct ClientState {
        var failFastUntil: ContinuousClock.Instant?
        var closed = false
    }

    public init(url: RedisURL, options: RedisOptions = .init(), observer: RedisCallObserver? = nil) {
        self.observer = observer
        precondition(options.poolSize > 0, "RedisOptions.poolSize must be at least 1")
        self.url = url
        self.options = options
        self.slots = DispatchSemaphore(value: options.poolSize)
        self.executor = BlockingExecutor(maxThreads: options.poolSize, name: "redis \(url)")
        self.monitor = RedisHealthMonitor(url: url, options: options)
    }

    deinit {
        executor.shutdown()
        monitor.stop()
    }

    /// What this client's calls tell of Redis now, without sending anything.
    public var health: RedisHealth { monitor.snapshot }

    public convenience init(url: String, options: RedisOptions = .init()) throws {
        self.init(url: try RedisURL(parsing: url), options: options)
    }

    /// Sends one command; an error reply throws `RedisError.server`.
    @discardableResult
    public func send(_ command: RedisCommand) throws -> RedisReply {
        try run({ try $0.send(command) }, isReadonly: { _ in false })
    }

    @discardableResult
    public func send(_ args: any RedisArgument...) throws -> RedisReply {
        try send(RedisCommand(args))
    }

    /// Sends all commands in one round trip on one connection; error replies come back inline.
    public func pipeline(_ commands: [RedisCommand]) throws -> [RedisReply] {
        try run({ try $0.pipeline(commands) }, isReadonly: { $0.contains { $0.errorMessage.map(Self.isReadonly) ?? false } },
                loading: Self.loading)
    }

    /// Runs a script by `EVALSHA`, falling back to `EVAL` when Redis lacks it.
    @discardableResult
    public func eval(_ script: RedisScript, keys: [any RedisArgument], args: [any RedisArgument]) throws -> RedisReply {
        try eval(script, keyBytes: keys.map(\.redisBytes), argBytes: args.map(\.redisBytes))
    }

    func eval(_ script: RedisScript, keyBytes: [[UInt8]], argBytes: [[UInt8]]) throws -> RedisReply {
        try run({ try $0.eval(script, keyBytes: keyBytes, argBytes: argBytes) }, isReadonly: { _ in false })
    }

    /// Runs one script once per argument list in one round trip (see `RedisConnection.evalMany`).
    public func evalMany(_ script: RedisScript, argLists: [[[UInt8]]]) throws -> [RedisReply] {
        if argLists.isEmpty { return [] }
        return try run({ try $0.evalMany(script, argLists: argLists) },
                       isReadonly: { $0.contains { $0.errorMessage.map(Self.isReadonly) ?? false } }, loading: Self.loading)
    }

    /// Lends a pooled connection to `body` (for MULTI/EXEC or WATCH sequences).
    /// Leave its read timeout alone; use `dedicatedConnection()` for blocking reads.
    /// When `body` throws, the connection is closed rather than pooled: it may be left inside a
    /// MULTI or with keys WATCHed, which would leak into the next borrower's commands.
    public func withConnection<T>(_ body: (RedisConnection) throws -> T) throws -> T {
        try observed { try lend(body) }
    }

    private func lend<T>(_ body: (RedisConnection) throws -> T) throws -> T {
        if let refusal = monitor.refusal() { throw refusal }
        let connection = try tracked { try checkout() }
        let result: T
        do {
            result = try body(connection)
        } catch {
            if let e = error as? RedisError { monitor.failed(e) }
            connection.close()
            checkin(connection)
            throw error
        }
        monitor.replied()
        checkin(connection)
        return result
    }

    /// A new connection outside the pool, owned by the caller (for `XREAD BLOCK`, `SUBSCRIBE`).
    public func dedicatedConnection() throws -> RedisConnection {
        try connectWithRetry()
    }

    /// True when Redis answers `PING` now (connecting if needed, within the retry policy);
    /// false at once while Redis is known to be down.
    public func ping() -> Bool {
        (try? send("PING"))?.string == "PONG"
    }

    /// Closes idle connections; later calls throw `RedisError.closed`.
    public func close() {
        state.withLock { $0.closed = true }
        monitor.stop()
        let connections = idle.withLock { list in
            defer { list.removeAll() }
            return list
        }
        connections.forEach { $0.close() }
    }

    // MARK: pool

    private var isSentinel: Bool {
        if case .sentinel = url.endpoint { return true }
        return false
    }

    static func isReadonly(_ message: String) -> Bool {
        message.hasPrefix("READONLY") || message.contains("READONLY You can't write")
    }

    /// A `LOADING` error reply among a pipeline's replies: Redis refused those commands unrun.
    static func loading(_ replies: [RedisReply]) -> RedisError? {
        for reply in replies {
            if let message = reply.errorMessage, message.hasPrefix("LOADING") { return .loading(message) }
        }
        return nil
    }

    private func run<T>(_ body: (RedisConnection) throws -> T, isReadonly: (T) -> Bool,
                        loading: (T) -> RedisError? = { _ in nil }) throws -> T {
        try observed { try runOnce(body, isReadonly: isReadonly, loading: loading) }
    }

    /// Runs a call, telling the observer (if any) its duration and its Redis failure.
    @inline(__always)
    private func observed<T>(_ call: () throws -> T) throws -> T {
        guard let observer else { return try call() }
        let start = ContinuousClock.now
        do {
            let r = try call()
            observer(ContinuousClock.now - start, nil)
            return r
        } catch {
            observer(ContinuousClock.now - start, error as? RedisError ?? .protocolError("\(error)"))
            throw error
        }
    }

    private func runOnce<T>(_ body: (RedisConnection) throws -> T, isReadonly: (T) -> Bool,
                            loading: (T) -> RedisError?) throws -> T {
        if let refusal = monitor.refusal() { throw refusal }
        var attempt = 0
        while true {
            attempt += 1
            let connection = try tracked { try checkout() }
            let result: T
            do {
                result = try body(connection)
            } catch RedisError.server(let message) where isSentinel && attempt == 1 && Self.isReadonly(message) {
                forgetAll(connection)
                continue
            } catch {
                if let e = error as? RedisError { monitor.failed(e) }
                checkin(connection)
                throw error
            }
            if let e = loading(result) { monitor.failed(e) } else { monitor.replied() }
            if isSentinel && attempt == 1 && isReadonly(result) {
                forgetAll(connection)
                continue
            }
            checkin(connection)
            return result
        }
    }

    /// Runs `body`, telling the monitor of a Redis failure it throws.
    private func tracked<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch {
            if let e = error as? RedisError { monitor.failed(e) }
            throw error
        }
    }

    private func checkout() throws -> RedisConnection {
        let limit = options.connectTimeout + options.readTimeout
        guard slots.wait(timeout: .now() + .nanoseconds(Int(limit.inNanoseconds))) == .success else {
            throw RedisError.notSent("all \(options.poolSize) connections to \(url) stayed busy for \(limit); raise poolSize or shorten the work done on them")
        }
        if state.withLock({ $0.closed }) {
            slots.signal()
            throw RedisError.closed
        }
        while let connection = idle.withLock({ $0.popLast() }) {
            if connection.looksAlive() { return connection }
            connection.close()
        }
        do {
            return try connectWithRetry()
        } catch {
            slots.signal()
            throw error
        }
    }

    private func checkin(_ connection: RedisConnection) {
        if connection.isConnected && !state.withLock({ $0.closed }) {
            idle.withLock { $0.append(connection) }
        } else {
            connection.close()
        }
        slots.signal()
    }

    /// After a failover every idle connection points at the old master: drop them all.
    private func forgetAll(_ borrowed: RedisConnection) {
        borrowed.close()
        slots.signal()
        let stale = idle.withLock { list in
            defer { list.removeAll() }
            return list
        }
        stale.forEach { $0.close() }
    }

    private func connectWithRetry() throws -> RedisConnection {
        let clock = ContinuousClock()
        let start = clock.now
        let failFast = state.withLock { s in s.failFastUntil.map { start < $0 } ?? false }
        let deadline = start + options.connectTimeout
        // Equal jitter: reconnects spread out yet never spin (a refused connect returns at once).
        let backoff = Backoff(base: .milliseconds(10), cap: options.maxBackoff, jitter: .equal)
        var attempt = 0
        while true {
            do {
                let connection = try RedisConnection(url: url, options: options,
                                                     connectTimeout: max(.milliseconds(50), deadline - clock.now))
                state.withLock { $0.failFastUntil = nil }
                return connection
            } catch let error as RedisError where error.isConnectFailure {
                let delay = backoff.delay(attempt: attempt, unit: .random(in: 0...1))
                attempt += 1
                if failFast || clock.now + delay >= deadline {
                    state.withLock { $0.failFastUntil = clock.now + options.failFastWindow }
                    throw error
                }
                sleepBlocking(delay)
            }
        }
    }
}
