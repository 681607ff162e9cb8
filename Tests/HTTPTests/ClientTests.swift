import CSystem
import Foundation
import Glibc
import Testing
@testable import HTTP

/// A one-shot listener that does something rude with each connection.
final class RudeServer {
    let fd: Int32
    let port: Int

    init(_ behaviour: @escaping @Sendable (Int32) -> Void) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = Socket.address("127.0.0.1", 0)!
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, 16) } }
        listen(listener, 16)
        fd = listener
        port = Socket.localPort(listener)
        Thread {
            while true {
                let c = accept(listener, nil, nil)
                if c < 0 { return }
                behaviour(c)
            }
        }.start()
    }

    deinit { shutdown(fd, Int32(SHUT_RDWR)); Glibc.close(fd) }

    static func readRequest(_ fd: Int32) {
        var scratch = [UInt8](repeating: 0, count: 4096)
        _ = recv(fd, &scratch, scratch.count, 0)
    }
}

@Suite struct ClientTests {
    @Test func keepAliveReusesOneConnection() throws {
        let server = try TestServer()
        let client = HTTPClient()
        for _ in 0..<20 { #expect(try client.get(server.url + "/echo").text == "ok") }
        #expect(client.idleConnectionCount("127.0.0.1:\(server.port)") == 1)
        #expect(server.server.connectionCount == 1)
    }

    @Test func stalePooledConnectionIsReplacedTransparently() throws {
        let server = try TestServer { $0.idleTimeout = .milliseconds(200) }
        let client = HTTPClient()
        #expect(try client.get(server.url + "/echo").status == 200)
        #expect(waitUntil(5) { server.server.connectionCount == 0 })
        #expect(try client.post(server.url + "/echo", json: ["a": 1]).text == #"{"a":1}"#)
    }

    @Test func refusedConnectionIsReportedAsRefused() throws {
        let probe = try RudeServer { Glibc.close($0) }
        let port = probe.port
        shutdown(probe.fd, Int32(SHUT_RDWR))
        Glibc.close(probe.fd)
        #expect(throws: HTTPClientError.self) { _ = try HTTPClient().get("http://127.0.0.1:\(port)/") }
        do { _ = try HTTPClient().get("http://127.0.0.1:\(port)/") } catch let error as HTTPClientError {
            guard case .connectionRefused(let message) = error else { Issue.record("got \(error)"); return }
            #expect(message.contains("127.0.0.1:\(port)"))
        }
    }

    @Test func slowServerTimesOut() throws {
        let server = try TestServer()
        let start = Date()
        #expect(throws: HTTPClientError.timedOut("127.0.0.1:\(server.port): no answer in time while waiting for the response")) {
            _ = try HTTPClient().get(server.url + "/poll", timeout: .milliseconds(200))
        }
        #expect(Date().timeIntervalSince(start) < 3)
    }

    @Test func closeWithoutAnswerIsReset() throws {
        let rude = try RudeServer { fd in RudeServer.readRequest(fd); Glibc.close(fd) }
        #expect {
            _ = try HTTPClient().get("http://127.0.0.1:\(rude.port)/x")
        } throws: { error in
            if case .connectionReset = error as? HTTPClientError { return true }
            return false
        }
    }

    @Test func garbageIsMalformed() throws {
        let rude = try RudeServer { fd in
            RudeServer.readRequest(fd)
            let junk = Array("SSH-2.0-OpenSSH\r\n\r\n".utf8)
            _ = send(fd, junk, junk.count, Int32(MSG_NOSIGNAL))
            Glibc.close(fd)
        }
        #expect {
            _ = try HTTPClient().get("http://127.0.0.1:\(rude.port)/x")
        } throws: { error in
            if case .malformedResponse = error as? HTTPClientError { return true }
            return false
        }
    }

    @Test func oversizedBodyIsTooLarge() throws {
        let server = try TestServer()
        let client = HTTPClient(maxResponseBytes: 10)
        #expect {
            _ = try client.post(server.url + "/echo", json: String(repeating: "x", count: 100))
        } throws: { error in
            if case .tooLarge = error as? HTTPClientError { return true }
            return false
        }
    }

    @Test(arguments: ["https://a/", "ftp://x", "http://", "http://h:0/", "http://h:99999/", "http://h:x/", "http://u@h/", "http://h/a b"])
    func badURLsAreInvalid(_ url: String) {
        #expect {
            _ = try HTTPClient().get(url)
        } throws: { error in
            if case .invalidURL = error as? HTTPClientError { return true }
            return false
        }
    }

    @Test func urlParts() throws {
        #expect(try ClientURL("http://example:8080").target == "/")
        #expect(try ClientURL("http://example?a=1").target == "/?a=1")
        let u = try ClientURL("http://10.0.0.1:81/x/y?z")
        #expect(u.host == "10.0.0.1" && u.port == 81 && u.target == "/x/y?z")
    }

    @Test func clientIsSafeFromManyThreads() throws {
        let server = try TestServer()
        let client = HTTPClient()
        let failures = Locked(0)
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            for j in 0..<50 {
                let body = "t\(i)-\(j)"
                let answer = try? client.request("POST", server.url + "/echo", body: Array(body.utf8))
                if answer?.text != body { failures.withLock { $0 += 1 } }
            }
        }
        #expect(failures.withLock { $0 } == 0)
        #expect(client.idleConnectionCount("127.0.0.1:\(server.port)") <= 8)
    }
}
