/// One client connection: its socket, bytes and current request; touched only by its event
/// loop's thread. What happens next is decided by `machine`.
final class Connection {
    let id: UInt64
    let fd: Int32
    let remoteAddress: String
    /// The peer's IPv4 address (network order): connections are counted per peer.
    let peer: UInt32
    var machine: ConnectionMachine
    var readBuffer: [UInt8] = []
    var readIndex = 0
    var parser: HTTPRequestParser
    var writeBuffer: [UInt8] = []
    var writeIndex = 0
    var interest: UInt32 = 0
    /// True while `EventLoop.process` runs, so an answer given during dispatch does not parse
    /// the next request from inside it.
    var parsing = false

    // The request being read or answered.
    var head: HTTPRequestHead?
    /// An answer decided from the head alone (401, 404, 405), sent once the body has been read.
    var earlyResponse: HTTPResponse?
    /// The route the current request's head matched (looked up once, when the head arrives).
    var matched: (handler: Router.Handler, parameters: [String: String], pattern: String)?
    /// The matched route's pattern, for the access log ("-" when none matched).
    var routePattern = "-"
    var context: RequestContext?

    init(id: UInt64, fd: Int32, remoteAddress: String, peer: UInt32, machine: ConnectionMachine, limits: HTTPParserLimits) {
        self.id = id
        self.fd = fd
        self.remoteAddress = remoteAddress
        self.peer = peer
        self.machine = machine
        self.parser = HTTPRequestParser(limits: limits)
    }

    var hasPendingWrite: Bool { writeIndex < writeBuffer.count }
    var hasBufferedInput: Bool { readIndex < readBuffer.count }
}
