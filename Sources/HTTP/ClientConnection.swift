import CSystem
import Glibc
import Platform

/// One client socket. `@unchecked Sendable`: it is used by one thread at a time, handed over
/// only through the client's `Mutex`-guarded pool.
final class ClientConnection: @unchecked Sendable {
    let fd: Int32
    let peer: String
    var buffer: [UInt8] = []
    var index = 0
    var receivedAny = false
    private var scratch = [UInt8](repeating: 0, count: 16 << 10)
    var sentAll = false
    private var isClosed = false

    /// Internal (not private) so that the response-parser fuzz target (fuzz/targets/response.swift)
    /// can read from one end of a socket pair.
    init(fd: Int32, peer: String) {
        self.fd = fd
        self.peer = peer
    }

    static func connect(_ url: ClientURL, timeout: Duration) throws -> ClientConnection {
        var addr: sockaddr_in
        if let literal = Socket.address(url.host == "localhost" ? "127.0.0.1" : url.host, url.port) {
            addr = literal
        } else {
            addr = try resolve(url)
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw HTTPClientError.connectionRefused("\(url.hostPort): socket(): \(Socket.errorText(batch_errno()))") }
        Socket.noDelay(fd)
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if rc != 0 {
            let e = batch_errno()
            guard e == EINPROGRESS else {
                Glibc.close(fd)
                throw mapConnectError(e, url.hostPort)
            }
            var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            let ready = poll(&pfd, 1, Int32(clamping: timeout.nanosecondsClamped / 1_000_000))
            if ready == 0 {
                Glibc.close(fd)
                throw HTTPClientError.timedOut("connecting to \(url.hostPort) took longer than \(timeout)")
            }
            var soError: Int32 = 0
            var len = socklen_t(4)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &len)
            if soError != 0 {
                Glibc.close(fd)
                throw mapConnectError(soError, url.hostPort)
            }
        }
        return ClientConnection(fd: fd, peer: url.hostPort)
    }

    static func mapConnectError(_ e: Int32, _ peer: String) -> HTTPClientError {
        if e == ETIMEDOUT { return .timedOut("connecting to \(peer): \(Socket.errorText(e))") }
        return .connectionRefused("\(peer): \(Socket.errorText(e))")
    }

    static func resolve(_ url: ClientURL) throws -> sockaddr_in {
        var hints = addrinfo()
        hints.ai_family = AF_INET
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(url.host, String(url.port), &hints, &result)
        guard rc == 0, let first = result, let sa = first.pointee.ai_addr else {
            throw HTTPClientError.connectionRefused("\(url.hostPort): cannot resolve host \(url.host): \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(result) }
        return sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee }
    }

    /// False when the server closed the pooled connection or sent something unasked.
    func isStillOpen() -> Bool {
        var byte: UInt8 = 0
        let n = recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        return n < 0 && (batch_errno() == EAGAIN || batch_errno() == EWOULDBLOCK)
    }

    func close() {
        guard !isClosed else { return }
        isClosed = true
        Glibc.close(fd)
    }

    private func wait(_ events: Int32, deadline: UInt64, doing: String) throws {
        guard monotonicNanos() < deadline else { throw HTTPClientError.timedOut("\(peer): no answer in time while \(doing)") }
        var pfd = pollfd(fd: fd, events: Int16(events), revents: 0)
        let rc: Int32
        do {
            // Retried after a signal with what is left of the wait, not all of it again.
            rc = try syscall("poll") {
                let left = deadline &- min(deadline, monotonicNanos())
                return poll(&pfd, 1, Int32(clamping: (left + 999_999) / 1_000_000))
            }
        } catch {
            throw HTTPClientError.connectionReset("\(peer): poll failed: \(Socket.errorText(error.errno))")
        }
        if rc == 0 { throw HTTPClientError.timedOut("\(peer): no answer in time while \(doing)") }
    }

    @discardableResult
    func sendAll(_ bytes: [UInt8], deadline: UInt64) throws -> Int {
        sentAll = false
        receivedAny = false
        var offset = 0
        while offset < bytes.count {
            let sent: Int?
            do {
                sent = try nonBlockingSyscall("send") {
                    bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
                }
            } catch {
                throw HTTPClientError.connectionReset("\(peer): sending the request failed: \(Socket.errorText(error.errno))")
            }
            guard let n = sent else {
                try wait(Int32(POLLOUT), deadline: deadline, doing: "sending the request")
                continue
            }
            if n > 0 { offset += n; continue }
            throw HTTPClientError.connectionReset("\(peer): sending the request failed: \(Socket.errorText(batch_errno()))")
        }
        sentAll = true
        return offset
    }

    /// Reads more bytes into the buffer; false at end of stream.
    func fill(deadline: UInt64, doing: String) throws -> Bool {
        if index > 0 && index == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            index = 0
        }
        while true {
            let received: Int?
            do {
                received = try nonBlockingSyscall("recv") { scratch.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) } }
            } catch {
                throw HTTPClientError.connectionReset("\(peer): \(Socket.errorText(error.errno)) while \(doing)")
            }
            guard let n = received else {
                try wait(Int32(POLLIN), deadline: deadline, doing: doing)
                continue
            }
            if n > 0 {
                buffer.append(contentsOf: scratch[0..<n])
                receivedAny = true
                return true
            }
            return false
        }
    }
}
