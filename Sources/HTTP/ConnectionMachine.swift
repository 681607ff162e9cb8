/// The life of one server connection as a pure state machine: the event loop reports what
/// happened (bytes buffered, a head or body parsed, an answer ready, a write blocked, a timer
/// tick) with the monotonic instant in nanoseconds, and performs what the machine answers.
/// It reads no clock and touches no socket; the loop keeps the bytes, the parser and the request.
///
/// ```
/// idle → readingHead → readingBody → inFlight → (streaming) → idle      keep-alive
///                                                            → closing → closed
/// ```
struct ConnectionMachine: Sendable {
    enum State: Equatable, Sendable {
        /// Between requests, no bytes of the next one yet.
        case idle
        case readingHead
        /// The head is in; `early` when its answer was decided from it (401, 404, 405).
        case readingBody(early: Bool)
        /// A handler owns the request; the connection waits for its answer.
        case inFlight
        /// A streamed response is being written.
        case streaming(chunked: Bool)
        /// The last response is being written; nothing more is read.
        case closing
        case closed
    }

    /// The limits of each phase, in nanoseconds.
    struct Timeouts: Sendable, Equatable {
        /// From a request's first byte (a connection's first request: from the accept) to the end of its head.
        var header: UInt64
        /// From the end of the head to the end of the body; also the longest a write may make no progress.
        var body: UInt64
        /// Between requests.
        var idle: UInt64
    }

    enum CloseReason: Equatable, Sendable {
        case peerClosed
        case idleTimeout
        /// The peer read nothing of a pending response for the body timeout.
        case writeStalled
        /// A streamed response piled up faster than the peer read it.
        case slowReader
        /// The server drains and the connection was between requests.
        case draining
        /// The server is at its connection limit and this one was idle.
        case evicted
        /// The last response is written.
        case answered
        /// The socket failed, or the server stopped.
        case failed
    }

    enum RequestPart: Equatable, Sendable {
        case head, body
    }

    /// What to do with the buffered bytes.
    enum InputAction: Equatable, Sendable {
        case parse
        /// Wait for more bytes (or for the answer in flight): nothing to parse now.
        case wait
    }

    /// What follows a parsed head, body or parse error.
    enum RequestAction: Equatable, Sendable {
        /// Parse on: the body follows, after a `100 Continue` when the client waits for one.
        case readBody(sendContinue: Bool)
        /// Hand the request to its handler.
        case dispatch
        /// Write the early answer or the error now; with `keepAlive`, parse the next request after it.
        case answer(keepAlive: Bool)
    }

    /// What to do with a handler's answer.
    enum ReplyAction: Equatable, Sendable {
        case write(keepAlive: Bool)
        /// No request waits for it (answered already, timed out, closed).
        case ignore
    }

    /// What to do with a streamed response's head, chunk or end.
    enum StreamAction: Equatable, Sendable {
        /// Write it, framed as chunks when `chunked`; after the end, parse the next request when `keepAlive`.
        case write(chunked: Bool, keepAlive: Bool)
        case close(CloseReason)
        case ignore
    }

    /// What follows a timer tick, a drain, an eviction, a finished write or the peer's close.
    enum Action: Equatable, Sendable {
        case none
        case close(CloseReason)
        /// Answer 408 for the part that did not arrive in time, then close.
        case answerTimeout(RequestPart)
    }

    let timeouts: Timeouts
    /// Monotonic nanoseconds of the accept.
    let acceptedAt: UInt64
    // Changed only by the events below and in ConnectionMachine+Lifecycle.swift.
    var state = State.idle
    /// Monotonic nanoseconds after which the current phase has lasted too long.
    var deadline: UInt64
    /// Request heads received.
    var requests = 0
    /// When the current request's first byte was seen.
    var requestStartedAt: UInt64 = 0
    /// The connection may carry another request after the current one.
    var keepAlive = true
    /// The server drains: no connection stays open after its current request.
    var draining = false
    /// Since when unsent response bytes wait (reset at each progress); nil when none wait.
    var writeWaitingSince: UInt64?
    /// The current request's HTTP/1.x minor version: streams to 1.0 peers are not chunked.
    var versionMinor = 1

    /// Buffered bytes of a streamed response beyond which the peer is dropped.
    static let maxStreamBacklog = 8 << 20
    /// Buffered request bytes beyond which a busy connection stops reading.
    static let maxReadAhead = 64 << 10

    init(acceptedAt: UInt64, timeouts: Timeouts) {
        self.acceptedAt = acceptedAt
        self.timeouts = timeouts
        deadline = acceptedAt + timeouts.header
    }

    var isClosed: Bool { state == .closed }
    /// Response bytes wait to be written.
    var hasPendingWrite: Bool { writeWaitingSince != nil }

    /// A handler or the write of a last response owns the connection: read no further ahead.
    var isAnswering: Bool {
        switch state {
        case .inFlight, .streaming, .closing: return true
        case .idle, .readingHead, .readingBody, .closed: return false
        }
    }

    /// Whether to read from the socket with `buffered` request bytes not yet parsed.
    func wantsInput(buffered: Int) -> Bool {
        switch state {
        case .closing, .closed: return false
        case .inFlight, .streaming: return buffered <= Self.maxReadAhead
        case .idle, .readingHead, .readingBody: return true
        }
    }

    /// Bytes are buffered (or not): parse them unless an answer is owed first.
    /// A connection's first head is due from the accept, later ones from their first byte.
    mutating func inputReady(hasBufferedInput: Bool, now: @autoclosure () -> UInt64) -> InputAction {
        switch state {
        case .readingHead, .readingBody:
            return .parse
        case .idle where hasBufferedInput:
            let now = now()
            state = .readingHead
            requestStartedAt = now
            deadline = (requests == 0 ? acceptedAt : now) + timeouts.header
            return .parse
        case .idle, .inFlight, .streaming, .closing, .closed:
            return .wait
        }
    }

    /// A head is parsed; `early` when its answer is already known. An early answer waits for
    /// an empty body; with a body to come it goes now and the connection closes after it.
    mutating func headReceived(_ head: HTTPRequestHead, early: Bool, now: UInt64) -> RequestAction {
        requests += 1
        keepAlive = head.keepAlive && !draining
        versionMinor = head.versionMinor
        let hasBody = head.framing != .none && head.framing != .length(0)
        if early && hasBody {
            keepAlive = false
            return .answer(keepAlive: finishRequest(now: now))
        }
        state = .readingBody(early: early)
        deadline = now + timeouts.body
        return .readBody(sendContinue: head.expectsContinue && hasBody)
    }

    /// The body is in: dispatch it, or send the answer decided from the head.
    mutating func bodyReceived(now: @autoclosure () -> UInt64) -> RequestAction {
        guard state == .readingBody(early: false) else { return .answer(keepAlive: finishRequest(now: now())) }
        state = .inFlight
        return .dispatch
    }

    /// The bytes are not a valid request: answer the error and close, as the stream cannot be resynchronised.
    mutating func parseFailed(now: UInt64) -> RequestAction {
        keepAlive = false
        return .answer(keepAlive: finishRequest(now: now))
    }

    /// A handler answered.
    mutating func responseReady(now: UInt64) -> ReplyAction {
        guard state == .inFlight else { return .ignore }
        return .write(keepAlive: finishRequest(now: now))
    }

    /// Ends the current request: idle until the next one when the connection stays open,
    /// otherwise closing once the answer is written. Returns whether it stays open.
    mutating func finishRequest(now: UInt64) -> Bool {
        guard keepAlive && !draining else {
            keepAlive = false
            state = .closing
            return false
        }
        state = .idle
        deadline = now + timeouts.idle
        return true
    }
}
