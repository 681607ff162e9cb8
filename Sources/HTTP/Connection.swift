/// One client connection; touched only by its event loop's thread.
final class Connection {
    enum Phase {
        /// Between requests, no bytes of the next one yet.
        case idle
        case readingHead
        case readingBody
        /// A handler owns the request; the connection waits for its answer.
        case inFlight
        /// A streamed response is being written.
        case streaming
    }

    let id: UInt64
    let fd: Int32
    let remoteAddress: String
    var readBuffer: [UInt8] = []
    var readIndex = 0
    var parser: HTTPRequestParser
    var writeBuffer: [UInt8] = []
    var writeIndex = 0
    var phase = Phase.idle
    /// Monotonic nanoseconds after which the current phase has lasted too long.
    var deadline: UInt64 = 0
    var lastWriteProgress: UInt64 = 0
    var interest: UInt32 = 0
    var closeAfterWrite = false
    var processing = false
    var closed = false

    // The request being read or answered.
    var head: HTTPRequestHead?
    /// An answer decided from the head alone (401, 404, 405), sent once the body has been read.
    var earlyResponse: HTTPResponse?
    /// The route the current request's head matched (looked up once, when the head arrives).
    var matched: (handler: Router.Handler, parameters: [String: String], pattern: String)?
    /// The matched route's pattern, for the access log ("-" when none matched).
    var routePattern = "-"
    var context: RequestContext?
    var keepAlive = true
    var requestStart: UInt64 = 0
    var streamChunked = true

    /// The peer's IPv4 address (network order): connections are counted per peer.
    let peer: UInt32
    /// Monotonic nanoseconds of the accept: the first request's head must be in by `headerTimeout` from here.
    let acceptedAt: UInt64
    /// Request heads received on this connection.
    var requests = 0

    init(id: UInt64, fd: Int32, remoteAddress: String, peer: UInt32, acceptedAt: UInt64, limits: HTTPParserLimits) {
        self.id = id
        self.fd = fd
        self.remoteAddress = remoteAddress
        self.peer = peer
        self.acceptedAt = acceptedAt
        self.parser = HTTPRequestParser(limits: limits)
    }

    var hasPendingWrite: Bool { writeIndex < writeBuffer.count }
    /// Between requests with nothing buffered either way: closing it loses no request.
    var isEvictable: Bool { phase == .idle && !hasPendingWrite && !hasBufferedInput && !closed }
    var hasBufferedInput: Bool { readIndex < readBuffer.count }
}
