import CSystem
import Glibc
@testable import HTTP

/// A test client that sends exact bytes and reads exact answers, with deadlines instead of sleeps.
final class RawConnection {
    let fd: Int32
    var buffer: [UInt8] = []

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = Socket.address("127.0.0.1", port)!
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        // Not closed here: every field is set, so the throw runs deinit, which closes it; a
        // second close could end a descriptor another test opened meanwhile under that number.
        guard rc == 0 else { throw TestError("connect to 127.0.0.1:\(port) failed: \(Socket.errorText(batch_errno()))") }
    }

    deinit { Glibc.close(fd) }

    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            offset += n
        }
    }

    func send(_ text: String) { send(Array(text.utf8)) }

    /// Reads more bytes; nil at end of stream or reset, throws on timeout.
    func fill(timeout: Double = 10) throws -> Bool {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&pfd, 1, Int32(timeout * 1000)) > 0 else { throw TestError("no bytes within \(timeout)s") }
        var scratch = [UInt8](repeating: 0, count: 65536)
        let n = recv(fd, &scratch, scratch.count, 0)
        if n <= 0 { return false }
        buffer.append(contentsOf: scratch[0..<n])
        return true
    }

    struct Response {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// One response, or nil when the server closed the connection first.
    func readResponse(timeout: Double = 10, head: Bool = false) throws -> Response? {
        while true {
            if let end = findHeadEnd() {
                let lines = String(decoding: buffer[0..<end - 4], as: UTF8.self).components(separatedBy: "\r\n")
                let status = Int(lines[0].split(separator: " ")[1])!
                var headers = HTTPHeaders()
                for line in lines.dropFirst() {
                    let colon = line.firstIndex(of: ":")!
                    headers.add(String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
                }
                buffer.removeFirst(end)
                var body: [UInt8] = []
                if head || status == 100 || status == 204 || status == 304 {
                } else if headers["Transfer-Encoding"] != nil {
                    body = try readChunked(timeout: timeout)
                } else {
                    let length = Int(headers["Content-Length"] ?? "0")!
                    while buffer.count < length { guard try fill(timeout: timeout) else { throw TestError("closed inside body") } }
                    body = Array(buffer[0..<length])
                    buffer.removeFirst(length)
                }
                return Response(status: status, headers: headers, body: body)
            }
            guard try fill(timeout: timeout) else {
                if buffer.isEmpty { return nil }
                throw TestError("closed inside a response head: \(String(decoding: buffer, as: UTF8.self))")
            }
        }
    }

    private func readChunked(timeout: Double) throws -> [UInt8] {
        var body: [UInt8] = []
        while true {
            while !buffer.contains(0x0A) { guard try fill(timeout: timeout) else { throw TestError("closed in chunk size") } }
            let lf = buffer.firstIndex(of: 0x0A)!
            let size = Int(String(decoding: buffer[0..<lf - 1], as: UTF8.self), radix: 16)!
            buffer.removeFirst(lf + 1)
            while buffer.count < size + 2 { guard try fill(timeout: timeout) else { throw TestError("closed in chunk") } }
            body += buffer[0..<size]
            buffer.removeFirst(size + 2)
            if size == 0 { return body }
        }
    }

    private func findHeadEnd() -> Int? {
        guard buffer.count >= 4 else { return nil }
        for i in 3..<buffer.count where buffer[i] == 0x0A && buffer[i - 1] == 0x0D && buffer[i - 2] == 0x0A && buffer[i - 3] == 0x0D {
            return i + 1
        }
        return nil
    }

    /// True when the server has closed its side: it answers a further request with end of stream.
    func isClosedByServer(timeout: Double = 10) throws -> Bool {
        send("GET /echo HTTP/1.1\r\nHost: t\r\n\r\n")
        return try readResponse(timeout: timeout) == nil
    }
}

struct TestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

import Foundation

/// Polls `condition` until it holds or `seconds` pass.
func waitUntil(_ seconds: Double, _ condition: () -> Bool) -> Bool {
    let end = Date().addingTimeInterval(seconds)
    while Date() < end {
        if condition() { return true }
        usleep(2_000)
    }
    return condition()
}
