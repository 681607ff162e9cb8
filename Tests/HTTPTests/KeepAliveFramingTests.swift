import Foundation
import Glibc
import Testing
@testable import HTTP
import TestSupport

/// Requests with bodies on keep-alive connections: each request starts exactly where the last
/// body ended, however the bytes are cut into reads.
@Suite(.blocking) struct KeepAliveFramingTests {
    static func post(_ body: String, path: String = "/echo") -> String {
        "POST \(path) HTTP/1.1\r\nHost: t\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    /// Sends `bytes` in two writes cut at `cut`, without Nagle, so the server mostly reads them apart.
    static func sendSplit(_ connection: RawConnection, _ bytes: [UInt8], at cut: Int) {
        Socket.noDelay(connection.fd)
        connection.send(Array(bytes[0..<cut]))
        connection.send(Array(bytes[cut...]))
    }

    @Test func bodiesCutAtEveryByteAreFollowedByTheNextRequest() throws {
        let server = try TestServer()
        let wire = Array((Self.post("hello, world") + Self.post("second body") + "GET /echo HTTP/1.1\r\nHost: t\r\n\r\n").utf8)
        let connection = try RawConnection(port: server.port)
        for cut in 0...wire.count {
            Self.sendSplit(connection, wire, at: cut)
            let first = try #require(try connection.readResponse(), "closed at cut \(cut)")
            let second = try #require(try connection.readResponse(), "closed at cut \(cut)")
            let third = try #require(try connection.readResponse(), "closed at cut \(cut)")
            #expect(first.status == 200 && first.text == "hello, world", "cut \(cut): \(first.status) \(first.text)")
            #expect(second.status == 200 && second.text == "second body", "cut \(cut): \(second.status) \(second.text)")
            #expect(third.status == 200 && third.text == "ok", "cut \(cut): \(third.status) \(third.text)")
        }
    }

    @Test func aLargeBodyIsFollowedByTheNextRequest() throws {
        let server = try TestServer()
        let connection = try RawConnection(port: server.port)
        for size in [65_535, 65_536, 65_537, 200_000, 1 << 20] {
            let body = String(repeating: "x", count: size - 1) + "y"
            connection.send(Self.post(body) + Self.post("after \(size)"))
            let big = try #require(try connection.readResponse())
            #expect(big.status == 200 && big.body.count == size && big.body.last == UInt8(ascii: "y"), "\(size): \(big.status)")
            let next = try #require(try connection.readResponse())
            #expect(next.status == 200 && next.text == "after \(size)", "\(size): \(next.status) \(next.text)")
        }
    }

    @Test func earlyAnswersWithoutABodyKeepTheConnectionAndTheNextRequestParses() throws {
        let server = try TestServer { $0.bearerToken = "secret" }
        let connection = try RawConnection(port: server.port)
        // 401 and 404 decided from the head, with an empty body, then a request with a body.
        connection.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n"
                        + "GET /nope HTTP/1.1\r\nHost: t\r\n\r\n"
                        + "POST /echo HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer secret\r\nContent-Length: 3\r\n\r\nabc")
        #expect(try connection.readResponse()?.status == 401)
        #expect(try connection.readResponse()?.status == 404)
        let echoed = try #require(try connection.readResponse())
        #expect(echoed.status == 200 && echoed.text == "abc")
    }

    @Test func anEarlyAnswerWithABodyClosesRatherThanParseTheBody() throws {
        let server = try TestServer()
        for cut in [0, 20, 60] {
            let connection = try RawConnection(port: server.port)
            let wire = Array((Self.post("GET /echo HTTP/1.1\r\nHost: t\r\n\r\n", path: "/nope") + "GET /echo HTTP/1.1\r\nHost: t\r\n\r\n").utf8)
            Self.sendSplit(connection, wire, at: min(cut, wire.count))
            let answer = try #require(try connection.readResponse())
            #expect(answer.status == 404 && answer.headers["Connection"] == "close")
            // The body looks like a request: it must not be answered as one.
            #expect(try connection.readResponse() == nil)
        }
    }

    @Test func manyThreadsOfKeepAlivePostsNeverSeeA400() throws {
        let server = try TestServer { $0.handlerThreads = 4 }
        let failures = Locked<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 6) { thread in
            let client = HTTPClient(maxIdlePerHost: 2)
            var generator = SystemRandomNumberGenerator()
            for i in 0..<300 {
                let size = [0, 1, 2, 17, 1_000, 16_383, 16_384, 65_536, 70_000][Int.random(in: 0..<9, using: &generator)]
                let body = (0..<size).map { UInt8(ascii: "a") + UInt8(($0 + i + thread) % 26) }
                do {
                    let r = try client.request("POST", server.url + "/echo", body: body)
                    if r.status != 200 || r.body != body {
                        failures.withLock { $0.append("thread \(thread) #\(i) \(size) bytes: \(r.status) \(r.text.prefix(120))") }
                    }
                } catch {
                    failures.withLock { $0.append("thread \(thread) #\(i) \(size) bytes: \(error)") }
                }
            }
        }
        let seen = failures.withLock { $0 }
        #expect(seen.isEmpty, "\(seen.count) failures: \(seen.prefix(5))")
    }
}
