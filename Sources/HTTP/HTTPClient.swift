import CSystem
import FoundationEssentials
import Glibc
import Platform
import Synchronization

/// A blocking HTTP/1.1 client with a keep-alive pool per host and port; thread-safe.
/// Calls block the calling thread: never call it from Swift's cooperative pool.
public final class HTTPClient: Sendable {
    public let connectTimeout: Duration
    public let requestTimeout: Duration
    public let maxIdlePerHost: Int
    public let maxResponseBytes: Int
    private let idle = Mutex<[String: [ClientConnection]]>([:])

    public init(connectTimeout: Duration = .seconds(2), requestTimeout: Duration = .seconds(10),
                maxIdlePerHost: Int = 16, maxResponseBytes: Int = 16 << 20) {
        signal(SIGPIPE, SIG_IGN)
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.maxIdlePerHost = maxIdlePerHost
        self.maxResponseBytes = maxResponseBytes
    }

    deinit {
        closeIdleConnections()
    }

    /// Sends one request and reads the whole response. `timeout` bounds the whole call after connecting.
    public func request(_ method: String, _ url: String, headers: HTTPHeaders = [:], body: [UInt8] = [],
                        timeout: Duration? = nil) throws -> HTTPClientResponse {
        let target = try ClientURL(url)
        var head = "\(method) \(target.target) HTTP/1.1\r\n"
        if !headers.contains("Host") { head += "Host: \(target.hostPort)\r\n" }
        for (name, value) in headers {
            guard !value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A }), !name.isEmpty,
                  name.utf8.allSatisfy(HTTPRequestParser.isTokenByte) else {
                throw HTTPClientError.invalidURL("header \(name) for \(url) holds CR, LF or a bad name")
            }
            if HTTPHeaders.equalsIgnoringCase(name, "Content-Length") || HTTPHeaders.equalsIgnoringCase(name, "Transfer-Encoding") { continue }
            head += "\(name): \(value)\r\n"
        }
        if !body.isEmpty || ["POST", "PUT", "PATCH"].contains(method) { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        let wire = Array(head.utf8) + body
        let idempotent = ["GET", "HEAD", "PUT", "DELETE", "OPTIONS"].contains(method)

        var attempt = 0
        while true {
            attempt += 1
            let (connection, reused) = try checkout(target)
            let deadline = monotonicNanos() + (timeout ?? requestTimeout).nanosecondsClamped
            do {
                let sent = try connection.sendAll(wire, deadline: deadline)
                _ = sent
                let response = try connection.readResponse(method: method, deadline: deadline, maxBytes: maxResponseBytes)
                if response.reusable { checkin(connection, target) } else { connection.close() }
                return response.response
            } catch let error as HTTPClientError {
                let delivered = connection.receivedAny
                connection.close()
                // A pooled connection the server had already closed: the request never reached it.
                if reused, attempt == 1, !delivered, case .connectionReset = error, idempotent || !connection.sentAll {
                    continue
                }
                throw error
            }
        }
    }

    /// `GET url`.
    public func get(_ url: String, headers: HTTPHeaders = [:], timeout: Duration? = nil) throws -> HTTPClientResponse {
        try request("GET", url, headers: headers, timeout: timeout)
    }

    /// POSTs `json` encoded with sorted keys and `Content-Type: application/json`.
    public func post<T: Encodable>(_ url: String, json: T, headers: HTTPHeaders = [:], timeout: Duration? = nil) throws -> HTTPClientResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data: Data
        do { data = try encoder.encode(json) } catch {
            throw HTTPClientError.invalidURL("body for \(url) cannot be encoded as JSON: \(error)")
        }
        var headers = headers
        if !headers.contains("Content-Type") { headers.set("Content-Type", "application/json") }
        return try request("POST", url, headers: headers, body: [UInt8](data), timeout: timeout)
    }

    /// Closes every pooled connection.
    public func closeIdleConnections() {
        let all = idle.withLock { pool -> [ClientConnection] in
            let all = pool.values.flatMap { $0 }
            pool.removeAll()
            return all
        }
        for connection in all { connection.close() }
    }

    /// Idle pooled connections to `host:port`.
    public func idleConnectionCount(_ hostPort: String) -> Int {
        idle.withLock { $0[hostPort]?.count ?? 0 }
    }

    private func checkout(_ target: ClientURL) throws -> (ClientConnection, Bool) {
        while let pooled = idle.withLock({ $0[target.hostPort]?.popLast() }) {
            if pooled.isStillOpen() { return (pooled, true) }
            pooled.close()
        }
        return (try ClientConnection.connect(target, timeout: connectTimeout), false)
    }

    private func checkin(_ connection: ClientConnection, _ target: ClientURL) {
        let kept = idle.withLock { pool -> Bool in
            var list = pool[target.hostPort] ?? []
            guard list.count < maxIdlePerHost else { return false }
            list.append(connection)
            pool[target.hostPort] = list
            return true
        }
        if !kept { connection.close() }
    }
}
