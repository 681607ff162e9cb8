import BatchCore
import Foundation
import Glibc
import Testing
import TestSupport

/// The hostile-request corpus against every daemon's HTTP port (the built gateway, worker and
/// scheduler, together): request smuggling, malformed and oversized heads and bodies, control
/// bytes, hostile JSON, slow and abandoned connections. After each request the daemon must still
/// answer its liveness probe at once, and nothing may have been queued, dispatched or run.
@Suite(.blocking) struct AbuseCorpusTests {
    /// One hostile request: the bytes, and the statuses a daemon may answer it with (closing the
    /// connection without an answer is always allowed). `wellFormedHTTP`: the head is sound and only
    /// the body is hostile, so a daemon without the route may answer 404 or 405 from the head alone.
    struct Abuse: CustomStringConvertible {
        var name: String
        var bytes: [UInt8]
        var allowed: Set<Int>
        var wellFormedHTTP = false
        var description: String { name }
    }

    static func request(_ path: String, _ headers: String, body: [UInt8] = []) -> [UInt8] {
        Array("POST \(path) HTTP/1.1\r\nHost: t\r\n\(headers)\r\n".utf8) + body
    }

    static func json(_ path: String, _ body: [UInt8]) -> [UInt8] {
        request(path, "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n", body: body)
    }

    /// The corpus, aimed at `path` (the route that would create work on that daemon).
    static func corpus(path: String) -> [Abuse] {
        let noop = Array(#"{"jobType":"noop"}"#.utf8)
        let smuggled = Array("POST \(path) HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: \(noop.count)\r\n\r\n".utf8) + noop
        return [
            Abuse(name: "Content-Length and Transfer-Encoding together (CL.TE smuggling)",
                  bytes: request(path, "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", body: Array("0\r\n\r\n".utf8) + smuggled),
                  allowed: [400]),
            Abuse(name: "two Content-Lengths that disagree",
                  bytes: request(path, "Content-Length: 18\r\nContent-Length: 0\r\n", body: noop), allowed: [400]),
            Abuse(name: "a chunk size that overflows",
                  bytes: request(path, "Transfer-Encoding: chunked\r\n", body: Array("FFFFFFFFFFFFFFFFFFFF\r\nx\r\n0\r\n\r\n".utf8)),
                  allowed: [400, 413], wellFormedHTTP: true),
            Abuse(name: "Transfer-Encoding other than chunked",
                  bytes: request(path, "Transfer-Encoding: gzip, chunked\r\n", body: Array("0\r\n\r\n".utf8)), allowed: [400, 501]),
            Abuse(name: "an obsolete folded header line",
                  bytes: request(path, "Content-Type: application/json\r\n folded: yes\r\nContent-Length: 0\r\n"), allowed: [400]),
            Abuse(name: "a NUL in a header value",
                  bytes: request(path, "X-A: a\u{0}b\r\nContent-Length: 0\r\n"), allowed: [400]),
            Abuse(name: "a bare LF line end", bytes: Array("POST \(path) HTTP/1.1\nHost: t\nContent-Length: 0\n\n".utf8), allowed: [400]),
            Abuse(name: "a 100 KB header", bytes: request(path, "X-Big: \(String(repeating: "a", count: 100_000))\r\nContent-Length: 0\r\n"),
                  allowed: [431, 400]),
            Abuse(name: "a 10,000-character path", bytes: Array("GET /\(String(repeating: "a", count: 10_000)) HTTP/1.1\r\nHost: t\r\n\r\n".utf8),
                  allowed: [414, 400, 431]),
            Abuse(name: "a body over the limit", bytes: request(path, "Content-Type: application/json\r\nContent-Length: 5000000\r\n",
                                                               body: Array(repeating: UInt8(ascii: " "), count: 100_000)), allowed: [413]),
            Abuse(name: "HTTP/0.9", bytes: Array("GET /livez\r\n".utf8), allowed: [400, 505]),
            Abuse(name: "HTTP/2 preface", bytes: Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8), allowed: [400, 505, 405, 501]),
            Abuse(name: "an unknown method", bytes: Array("BREW \(path) HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n".utf8),
                  allowed: [400, 404, 405, 501]),
            Abuse(name: "JSON of invalid UTF-8", bytes: json(path, [0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x3A, 0x31, 0x7D]), allowed: [400], wellFormedHTTP: true),
            Abuse(name: "JSON with a duplicate key", bytes: json(path, Array(#"{"jobType":"noop","jobType":"noop"}"#.utf8)), allowed: [400], wellFormedHTTP: true),
            Abuse(name: "JSON nested 200,000 deep", bytes: json(path, Array(repeating: UInt8(ascii: "["), count: 200_000)),
                  allowed: [400, 413], wellFormedHTTP: true),
            Abuse(name: "JSON with a NUL in a parameter",
                  bytes: json(path, Array(#"{"jobType":"noop","params":{"a":"x\u0000y"}}"#.utf8)), allowed: [400], wellFormedHTTP: true),
            Abuse(name: "JSON with a terminal escape in a parameter",
                  bytes: json(path, Array(#"{"jobType":"noop","params":{"a":"\u001b]0;owned\u0007"}}"#.utf8)), allowed: [400], wellFormedHTTP: true),
            Abuse(name: "a number too large for any field", bytes: json(path, Array(#"{"jobType":"noop","priority":1e999}"#.utf8)), allowed: [400], wellFormedHTTP: true),
            Abuse(name: "an empty body", bytes: json(path, []), allowed: [400], wellFormedHTTP: true),
            Abuse(name: "a head that never ends (closed half-way)", bytes: Array("POST \(path) HTTP/1.1\r\nHost: t\r\nContent-Le".utf8),
                  allowed: [400, 408]),
            Abuse(name: "a body shorter than its Content-Length (closed)", bytes: request(path, "Content-Type: application/json\r\nContent-Length: 100\r\n",
                                                                                        body: Array(#"{"jobType":"#.utf8)), allowed: [400, 408], wellFormedHTTP: true),
        ]
    }

    @Test func everyDaemonRefusesTheCorpusKeepsServingAndQueuesNothing() throws {
        let c = try Cluster(gateways: 1, workers: 1, extra: "[http]\nheader-timeout = 2s\nbody-timeout = 2s\n")
        defer { c.stop() }
        let scheduler = try DaemonProcess("batch-scheduler", config: c.config + "\n[schedule \"rare\"]\njob = noop\ncron = 0 0 1 1 *\n",
                                          redisURL: c.redisURL, namespace: c.namespace, id: "s1")
        defer { scheduler.stop(grace: .seconds(5)) }
        try scheduler.waitReady()
        let before = try c.store.counts()
        let targets: [(String, DaemonProcess, String)] = [
            ("gateway", c.gateways[0], "/api/orchestration/execute"),
            ("worker", c.workers[0], "/api/batch"),
            ("scheduler", scheduler, "/api/orchestration/execute"),
        ]
        for (role, daemon, path) in targets {
            for abuse in Self.corpus(path: path) {
                let answer = try exchange(port: daemon.port, abuse.bytes)
                let allowed = abuse.allowed.union(abuse.wellFormedHTTP && role == "scheduler" ? [404, 405] : [])
                if let status = answer.status {
                    #expect(allowed.contains(status), "\(role), \(abuse): answered \(status): \(answer.text.prefix(300))")
                } else {
                    #expect(answer.closed, "\(role), \(abuse): no answer within 10 s and the connection stayed open")
                }
                // Still serving, at once.
                let started = ContinuousClock.now
                let live = try? c.client.request("GET", daemon.url + "/livez")
                #expect(live?.status == 200, "\(role) stopped serving after \(abuse): \(daemon.log.suffix(1500))")
                #expect(ContinuousClock.now - started < .seconds(4), "\(role) was slow to answer after \(abuse)")
                #expect(daemon.process.isRunning, "\(role) died after \(abuse): \(daemon.log.suffix(1500))")
            }
        }
        // Slow and abandoned connections: 50 that send one byte of a head and stop are closed by the
        // header timeout, and a normal request is served meanwhile.
        for (role, daemon, _) in targets {
            let idle = try (0..<50).map { _ in try openSocket(port: daemon.port) }
            defer { idle.forEach { Glibc.close($0) } }
            for fd in idle { _ = send(fd, "P", 1, Int32(MSG_NOSIGNAL)) }
            #expect((try? c.client.request("GET", daemon.url + "/livez"))?.status == 200, "\(role) refused a client beside 50 slow ones")
            let closed = waitUntil(timeout: .seconds(10), poll: .milliseconds(100)) { idle.allSatisfy(isClosedByPeer) }
            #expect(closed, "\(role) kept \(idle.filter { !isClosedByPeer($0) }.count) of 50 slow connections past its 2 s header timeout")
        }
        // Nothing was queued, dispatched or run by any of it.
        #expect(try c.store.counts() == before)
        #expect(c.attemptLog.runs.isEmpty)
        #expect(scheduler.process.isRunning && c.gateways[0].process.isRunning && c.workers[0].process.isRunning)
    }
}

/// Sends `bytes` on a new connection, half-closes it, and reads until the server closes or 10 s
/// pass: the first response's status (nil if none came), its text, and whether the server closed.
private func exchange(port: Int, _ bytes: [UInt8]) throws -> (status: Int?, text: String, closed: Bool) {
    let fd = try openSocket(port: port)
    defer { Glibc.close(fd) }
    var offset = 0
    while offset < bytes.count {
        let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
        if n <= 0 { break }  // the server may close before it read everything (a body over the limit)
        offset += n
    }
    shutdown(fd, Int32(SHUT_WR))
    var received: [UInt8] = []
    var closed = false
    let deadline = ContinuousClock.now + .seconds(10)
    var chunk = [UInt8](repeating: 0, count: 65536)
    while ContinuousClock.now < deadline {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&pfd, 1, 200) > 0 else { continue }
        let n = recv(fd, &chunk, chunk.count, 0)
        if n <= 0 { closed = true; break }
        received += chunk[0..<n]
    }
    let text = String(decoding: received, as: UTF8.self)
    let status = text.hasPrefix("HTTP/1.1 ") ? Int(text.dropFirst(9).prefix(3)) : nil
    return (status, text, closed)
}

private func openSocket(port: Int) throws -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw TestSupportError("socket() failed: errno \(errno)") }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = in_port_t(UInt16(port)).bigEndian
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    let rc = withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard rc == 0 else {
        Glibc.close(fd)
        throw TestSupportError("connect to 127.0.0.1:\(port) failed: errno \(errno)")
    }
    return fd
}

/// Whether the server closed this connection: reading what it sent (a 408, say) ends in end of stream.
private func isClosedByPeer(_ fd: Int32) -> Bool {
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = recv(fd, &chunk, chunk.count, Int32(MSG_DONTWAIT))
        if n > 0 { continue }
        return n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)
    }
}
