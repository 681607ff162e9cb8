import Synchronization

/// State shared between a request's connection (on its loop) and whoever answers it (any thread).
final class RequestContext: Sendable {
    let id: UInt64
    let connectionID: UInt64
    let closed = Atomic<Bool>(false)
    let answered = Atomic<Bool>(false)

    init(id: UInt64, connectionID: UInt64) {
        self.id = id
        self.connectionID = connectionID
    }
}

/// Answers one deferred request, from any thread; only the first response counts.
public final class HTTPResponder: Sendable {
    let context: RequestContext
    let loop: EventLoop

    init(context: RequestContext, loop: EventLoop) {
        self.context = context
        self.loop = loop
    }

    /// Sends the response unless one was sent already or the peer has gone.
    public func respond(_ response: HTTPResponse) {
        guard !context.answered.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let context = context
        loop.run { loop in loop.complete(context, response) }
    }

    /// True once the peer has closed the connection (or the server closed it); a long poll can stop waiting.
    public var isClosed: Bool { context.closed.load(ordering: .acquiring) }
}

/// Writes a chunked response from any thread; each call is queued to the connection's loop in order.
public final class HTTPStreamWriter: Sendable {
    let context: RequestContext
    let loop: EventLoop
    private let started = Atomic<Bool>(false)

    init(context: RequestContext, loop: EventLoop) {
        self.context = context
        self.loop = loop
    }

    /// Sends the status and headers; `Transfer-Encoding: chunked` is added. Later calls are ignored.
    public func start(status: Int = 200, headers: HTTPHeaders = HTTPHeaders()) {
        guard !started.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let context = context
        loop.run { loop in loop.streamStart(context, status: status, headers: headers) }
    }

    /// Queues one chunk; false when the peer has gone (stop producing).
    @discardableResult
    public func write(_ bytes: [UInt8]) -> Bool {
        if !started.load(ordering: .acquiring) { start() }
        if isClosed || context.answered.load(ordering: .acquiring) { return false }
        guard !bytes.isEmpty else { return true }
        let context = context
        loop.run { loop in loop.streamWrite(context, bytes) }
        return true
    }

    /// Ends the response; the connection then carries the next request.
    public func finish() {
        if !started.load(ordering: .acquiring) { start() }
        guard !context.answered.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let context = context
        loop.run { loop in loop.streamFinish(context) }
    }

    public var isClosed: Bool { context.closed.load(ordering: .acquiring) }
}
