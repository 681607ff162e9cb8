import CSystem
import Glibc
import Platform

/// Posts executions on many keep-alive connections from one thread with epoll, one request
/// outstanding per connection (no pipelining), the way wrk drives a server: the load generator
/// then takes little of the machine's two cores, which the system under test shares with it.
struct TriggerDriver {
    let host: String
    let port: Int
    let connections: Int
    let request: [UInt8]

    init(gateway: String, connections: Int, path: String, body: [UInt8]) throws {
        guard gateway.hasPrefix("http://") else { throw BenchError("the gateway URL must be http://HOST:PORT, not \(gateway)") }
        let hostPort = gateway.dropFirst("http://".count).split(separator: "/").first.map(String.init) ?? ""
        let parts = hostPort.split(separator: ":")
        guard parts.count == 2, let port = Int(parts[1]) else { throw BenchError("the gateway URL must name a port: \(gateway)") }
        host = String(parts[0]); self.port = port
        self.connections = connections
        request = Array("POST \(path) HTTP/1.1\r\nHost: \(hostPort)\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body
    }

    /// Sends `count` requests and reads every answer; returns the statuses that were not `expect`, with their bodies.
    func run(count: Int, expect: Int) throws -> [String] {
        let ep = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard ep >= 0 else { throw BenchError("epoll_create1 failed: errno \(batch_errno())") }
        defer { close(ep) }
        var fds: [Int32] = []
        defer { for fd in fds { close(fd) } }
        var buffers: [[UInt8]] = []
        var sent = 0, answered = 0
        var failures: [String] = []
        for i in 0..<min(connections, count) {
            let fd = try connect()
            fds.append(fd)
            buffers.append([])
            var ev = epoll_event()
            batch_epoll_event_set(&ev, EPOLLIN.rawValue, UInt64(i))
            epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev)
            try send(fd)
            sent += 1
        }
        var events = [epoll_event](repeating: epoll_event(), count: 64)
        var scratch = [UInt8](repeating: 0, count: 65536)
        while answered < count {
            let n = (try? syscall("epoll_wait") { epoll_wait(ep, &events, Int32(events.count), 10_000) }) ?? -1
            guard n > 0 else { throw BenchError("no answer from the gateway in 10 s (\(answered) of \(count) answered)") }
            for k in 0..<Int(n) {
                let i = Int(batch_epoll_event_data(&events[k]))
                let got: Int
                do {
                    guard let n = try nonBlockingSyscall("recv", { scratch.withUnsafeMutableBytes { recv(fds[i], $0.baseAddress, $0.count, 0) } }) else { continue }
                    got = n
                } catch {
                    got = -1
                }
                guard got > 0 else { throw BenchError("the gateway closed a connection (\(answered) of \(count) answered)") }
                buffers[i].append(contentsOf: scratch[0..<got])
                while let (status, body, used) = Self.response(in: buffers[i]) {
                    buffers[i].removeFirst(used)
                    answered += 1
                    if status != expect { failures.append("\(status) \(String(decoding: body, as: UTF8.self))") }
                    if sent < count {
                        try send(fds[i])
                        sent += 1
                    }
                }
            }
        }
        return failures
    }

    private func connect() throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw BenchError("socket failed: errno \(batch_errno())") }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &addr.sin_addr)
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { close(fd); throw BenchError("cannot connect to \(host):\(port): errno \(batch_errno())") }
        return fd
    }

    /// Writes the whole request (the socket blocks for writes; answers are read through epoll).
    private func send(_ fd: Int32) throws {
        var off = 0
        while off < request.count {
            let n: Int
            do {
                n = try syscall("send") { request.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + off, $0.count - off, Int32(MSG_NOSIGNAL)) } }
            } catch {
                throw BenchError("send failed: errno \(error.errno)")
            }
            guard n > 0 else { throw BenchError("send failed: errno \(batch_errno())") }
            off += n
        }
    }

    /// One complete response at the start of `bytes`: its status, body and length; nil while incomplete.
    static func response(in bytes: [UInt8]) -> (Int, ArraySlice<UInt8>, Int)? {
        guard bytes.count >= 16 else { return nil }
        var end = -1
        for j in 3..<bytes.count where bytes[j] == 0x0A && bytes[j - 1] == 0x0D && bytes[j - 2] == 0x0A && bytes[j - 3] == 0x0D {
            end = j + 1
            break
        }
        guard end > 0 else { return nil }
        let head = String(decoding: bytes[0..<end], as: UTF8.self)
        let lines = head.split(separator: "\r\n")
        guard let first = lines.first, first.count >= 12, let status = Int(first.dropFirst(9).prefix(3)) else { return nil }
        var length = 0
        for line in lines.dropFirst() {
            let kv = line.split(separator: ":", maxSplits: 1)
            if kv.count == 2, kv[0].lowercased() == "content-length" { length = Int(kv[1].trimmingCharacters(in: .whitespaces)) ?? 0 }
        }
        guard bytes.count >= end + length else { return nil }
        return (status, bytes[end..<(end + length)], end + length)
    }
}
