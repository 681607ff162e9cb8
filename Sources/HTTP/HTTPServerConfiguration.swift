import FoundationEssentials
import Platform

/// One line of the access log, given to `HTTPServerConfiguration.accessLog` after each response.
public struct AccessLogEntry: Sendable {
    public var method: String
    public var target: String
    /// The pattern of the route the request matched (`/api/orchestration/executions/{id}`), "-" when none did.
    public var route: String
    public var status: Int
    /// Body bytes sent.
    public var bytes: Int
    public var duration: Duration
    public var remoteAddress: String

    /// `127.0.0.1:5555 "GET /health" 200 12B 0.153ms`
    public var line: String {
        let ms = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
        return "\(remoteAddress) \"\(method) \(target)\" \(status) \(bytes)B \(ms.fixed(3))ms"
    }
}

/// Where the server listens and the limits it enforces.
public struct HTTPServerConfiguration: Sendable {
    public var host: String = "127.0.0.1"
    /// 0 picks a free port; read it from `HTTPServer.boundPort`.
    public var port: Int = 0
    public var eventLoops: Int = ProcessInfo.processInfo.activeProcessorCount
    /// Threads that run blocking handlers.
    public var handlerThreads: Int = 16
    public var maxRequestLineBytes: Int = 8 << 10
    public var maxHeaderBytes: Int = 32 << 10
    public var maxHeaderCount: Int = 100
    public var maxBodyBytes: Int = 1 << 20
    /// From the first byte of a request to the end of its head; for a connection's first request,
    /// from the accept (a connection that says nothing is closed after this long).
    public var headerTimeout: Duration = .seconds(10)
    /// From the end of the head to the end of the body; also the longest a response may wait for a slow reader.
    public var bodyTimeout: Duration = .seconds(30)
    /// A keep-alive connection with no request for this long is closed.
    public var idleTimeout: Duration = .seconds(60)
    public var maxConnections: Int = 10_000
    /// Connections one peer address may hold at once, so no single peer takes them all.
    public var maxConnectionsPerPeer: Int = 1_000
    /// When set, POST, PUT, PATCH and DELETE need `Authorization: Bearer <token>`.
    public var bearerToken: String?
    /// When set, asked for the token at each mutating request instead of `bearerToken`
    /// (a daemon that re-reads its token file on reload).
    public var bearerTokenSource: (@Sendable () -> String?)?
    /// Called on the event loop after each response; keep it quick.
    public var accessLog: (@Sendable (AccessLogEntry) -> Void)?

    public init(host: String = "127.0.0.1", port: Int = 0) {
        self.host = host
        self.port = port
    }

    var connectionTimeouts: ConnectionMachine.Timeouts {
        ConnectionMachine.Timeouts(header: headerTimeout.nanosecondsClamped, body: bodyTimeout.nanosecondsClamped,
                                   idle: idleTimeout.nanosecondsClamped)
    }

    var parserLimits: HTTPParserLimits {
        HTTPParserLimits(maxRequestLineBytes: maxRequestLineBytes, maxHeaderBytes: maxHeaderBytes,
                         maxHeaderCount: maxHeaderCount, maxBodyBytes: maxBodyBytes)
    }
}

/// Why the server could not start.
public struct HTTPServerError: Error, CustomStringConvertible, Sendable {
    public var description: String
}
