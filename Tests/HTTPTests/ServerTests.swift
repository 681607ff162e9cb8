import Foundation
import Glibc
import Testing
@testable import HTTP
import TestSupport

@Suite(.blocking) struct ServerTests {
    @Test func pipelinedRequestsAreAnsweredInOrder() throws {
        let server = try TestServer()
        let connection = try RawConnection(port: server.port)
        connection.send("GET /slow?ms=50 HTTP/1.1\r\nHost: t\r\n\r\nPOST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabcGET /items/7 HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try connection.readResponse()?.text == "slow")
        #expect(try connection.readResponse()?.text == "abc")
        #expect(try connection.readResponse()?.text == #"{"id":"7","q":""}"#)
    }

    @Test func expectContinueGetsInterimAnswerBeforeTheBody() throws {
        let server = try TestServer()
        let connection = try RawConnection(port: server.port)
        connection.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        #expect(try connection.readResponse()?.status == 100)
        connection.send("hello")
        let response = try #require(try connection.readResponse())
        #expect(response.status == 200 && response.text == "hello")
    }

    @Test func expectContinueWithTooLargeBodyIsRefusedWithoutContinue() throws {
        let server = try TestServer()
        let connection = try RawConnection(port: server.port)
        connection.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5000000\r\nExpect: 100-continue\r\n\r\n")
        #expect(try connection.readResponse()?.status == 413)
        #expect(try connection.readResponse() == nil)
    }

    @Test func unknownPathIs404AndWrongMethodIs405WithAllow() throws {
        let server = try TestServer()
        let client = HTTPClient()
        let missing = try client.get(server.url + "/nope")
        #expect(missing.status == 404)
        #expect(missing.headers["Content-Type"] == "application/problem+json")
        let wrong = try client.request("DELETE", server.url + "/items/3")
        #expect(wrong.status == 405)
        #expect(wrong.headers["Allow"] == "GET")
    }

    @Test func pathParametersQueryAndJSONRoundTrip() throws {
        let server = try TestServer()
        let client = HTTPClient()
        let got = try client.get(server.url + "/items/a%20b?q=x+y")
        #expect(got.text == #"{"id":"a b","q":"x y"}"#)
        #expect(try client.get(server.url + "/items/a%2Fb%2541").text == #"{"id":"a/b%41","q":""}"#)
        let connection = try RawConnection(port: server.port)
        connection.send("GET http://example/items/5?q=1 HTTP/1.1\r\nHost: example\r\n\r\n")
        #expect(try connection.readResponse()?.text == #"{"id":"5","q":"1"}"#)
        struct Rename: Encodable { var name: String }
        let renamed = try client.post(server.url + "/items/9/rename", json: Rename(name: "new"))
        #expect(renamed.status == 201)
        #expect(renamed.text == #"{"id":"9","name":"new"}"#)
        let bad = try client.request("POST", server.url + "/items/9/rename", headers: ["Content-Type": "application/json"], body: Array("{}".utf8))
        #expect(bad.status == 400)
        #expect(bad.text.contains("missing field \\\"name\\\""))
    }

    @Test func thrownErrorsBecome500Problems() throws {
        let server = try TestServer()
        let response = try HTTPClient().get(server.url + "/fail")
        #expect(response.status == 500)
        #expect(response.text.contains("disk on fire"))
        #expect(response.text.hasPrefix(#"{"status":500,"#))
    }

    @Test func bearerTokenGuardsMutatingMethodsOnly() throws {
        let server = try TestServer { $0.bearerToken = "s3cret" }
        let client = HTTPClient()
        #expect(try client.get(server.url + "/echo").status == 200)
        let refused = try client.request("POST", server.url + "/echo", body: [1])
        #expect(refused.status == 401)
        #expect(refused.headers["WWW-Authenticate"] == "Bearer")
        #expect(try client.request("POST", server.url + "/echo", headers: ["Authorization": "Bearer s3creT"], body: [1]).status == 401)
        #expect(try client.request("POST", server.url + "/echo", headers: ["Authorization": "Bearer s3cret"], body: [1]).status == 200)
    }

    @Test(arguments: [("Bearer abc", "abc", true), ("bearer abc", "abc", true), ("Bearer ab", "abc", false),
                      ("Bearer abcd", "abc", false), ("Basic abc", "abc", false), ("Bearer ", "abc", false)])
    func bearerTokenComparison(_ header: String, _ token: String, _ expected: Bool) {
        #expect(BearerToken.matches(header, token) == expected)
    }

    @Test func headerTimeoutAnswers408AndCloses() throws {
        let server = try TestServer { $0.headerTimeout = .milliseconds(300) }
        let connection = try RawConnection(port: server.port)
        connection.send("GET /echo HTTP/1.1\r\nHo")
        #expect(try connection.readResponse(timeout: 5)?.status == 408)
        #expect(try connection.readResponse(timeout: 5) == nil)
    }

    @Test func bodyTimeoutAnswers408() throws {
        let server = try TestServer { $0.bodyTimeout = .milliseconds(300) }
        let connection = try RawConnection(port: server.port)
        connection.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc")
        #expect(try connection.readResponse(timeout: 5)?.status == 408)
    }

    @Test func idleKeepAliveConnectionIsClosed() throws {
        let server = try TestServer { $0.idleTimeout = .milliseconds(300) }
        let connection = try RawConnection(port: server.port)
        connection.send("GET /echo HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try connection.readResponse()?.status == 200)
        #expect(try connection.fill(timeout: 5) == false)
    }

    @Test func connectionsOverTheCapGet503WithAProblemDocument() throws {
        let server = try TestServer { $0.maxConnections = 3; $0.eventLoops = 1 }
        // Each in the middle of a request head: none can be closed to make room.
        let held = try (0..<3).map { _ in try RawConnection(port: server.port) }
        for c in held { c.send("GET /echo HTTP/1.1\r\nHo") }
        #expect(waitUntil(5) { server.server.connectionCount == 3 })
        let extra = try RawConnection(port: server.port)
        let refused = try #require(try extra.readResponse())
        #expect(refused.status == 503)
        #expect(refused.headers["Content-Type"] == "application/problem+json")
        #expect(refused.headers["Retry-After"] == "1")
        #expect(refused.text.contains("http.max-connections"), "\(refused.text)")
        #expect(try extra.readResponse(timeout: 5) == nil)
    }

    /// At the connection cap, a connection whose request waits unread in the kernel is not taken
    /// for an idle one and closed to make room: the newcomer is refused instead. (Seen on a busy
    /// machine: the loop accepted the newcomer before it read the others' bytes.)
    @Test func aConnectionWhoseRequestWaitsUnreadIsNotEvictedForANewOne() throws {
        let server = try TestServer { $0.maxConnections = 1; $0.eventLoops = 1 }
        // Hold the only loop, so both connections wait in the backlog and the first one's request
        // is still unread when the loop accepts them together.
        let gate = DispatchSemaphore(value: 0)
        let held = DispatchSemaphore(value: 0)
        let loop = try #require(server.server.eventLoops.first)
        loop.run { _ in
            held.signal()
            gate.wait()
        }
        held.wait()
        let first = try RawConnection(port: server.port)
        first.send("GET /echo HTTP/1.1\r\nHost: t\r\n\r\n")
        let second = try RawConnection(port: server.port)
        gate.signal()
        #expect(try first.readResponse()?.status == 200)
        #expect(try second.readResponse()?.status == 503)
    }

    @Test func aSilentConnectionIsClosedAfterTheHeaderTimeoutCountedFromAccept() throws {
        let server = try TestServer { $0.headerTimeout = .milliseconds(300); $0.idleTimeout = .seconds(60) }
        let silent = try RawConnection(port: server.port)
        // Nothing sent: closed by the header timeout (from the accept), not after the idle timeout.
        let clock = ContinuousClock()
        let start = clock.now
        #expect(try silent.fill(timeout: 5) == false)
        #expect(clock.now - start < .seconds(3))
    }

    @Test func onePeerCannotTakeEveryConnection() throws {
        let server = try TestServer { $0.maxConnections = 100; $0.maxConnectionsPerPeer = 3 }
        let held = try (0..<3).map { _ in try RawConnection(port: server.port) }
        for c in held { c.send("GET /echo HTTP/1.1\r\nHo") }
        #expect(waitUntil(5) { server.server.connectionCount == 3 })
        let extra = try RawConnection(port: server.port)
        let refused = try #require(try extra.readResponse())
        #expect(refused.status == 429)
        #expect(refused.text.contains("127.0.0.1 holds 3 connections") && refused.text.contains("http.max-connections-per-peer"), "\(refused.text)")
        #expect(server.server.connectionCount == 3)
        // The ones held go on: finish a head and it is answered.
        held[0].send("st: t\r\n\r\n")
        #expect(try held[0].readResponse()?.status == 200)
    }

    @Test func idleConnectionsMakeRoomForNewClientsAtTheLimit() throws {
        let server = try TestServer { $0.maxConnections = 3; $0.eventLoops = 1 }
        // Three that never send a byte, as a flood of idle connections would.
        let silent = try (0..<3).map { _ in try RawConnection(port: server.port) }
        #expect(waitUntil(5) { server.server.connectionCount == 3 })
        let client = try RawConnection(port: server.port)
        client.send("GET /echo HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try client.readResponse()?.status == 200)
        // One silent connection was closed to make room.
        let closed = silent.filter { (try? $0.fill(timeout: 0.5)) == false }.count
        #expect(closed == 1)
    }

    @Test func deferredResponderAnswersFromAnotherThreadAndKnowsWhenPeerLeft() throws {
        let server = try TestServer()
        let waiting = try RawConnection(port: server.port)
        waiting.send("GET /poll HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(waitUntil(5) { server.pending.withLock { $0.count } == 1 })
        #expect(server.releasePolls(.text("released")) == 1)
        #expect(try waiting.readResponse()?.text == "released")

        var gone: RawConnection? = try RawConnection(port: server.port)
        gone!.send("GET /poll HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(waitUntil(5) { server.pending.withLock { $0.count } == 1 })
        let responder = server.pending.withLock { $0[0] }
        #expect(!responder.isClosed)
        gone = nil
        #expect(waitUntil(5) { responder.isClosed })
        _ = gone
    }

    @Test func readerThatNeverReadsIsDisconnectedAfterTheStallTimeout() throws {
        let server = try TestServer { $0.bodyTimeout = .milliseconds(300) }
        let connection = try RawConnection(port: server.port)
        connection.send("GET /stream?n=1500000 HTTP/1.1\r\nHost: t\r\n\r\n")
        // The socket buffers fill, then the server gives up on this reader.
        #expect(waitUntil(20) { server.server.connectionCount == 0 })
    }

    @Test func streamingResponseIsChunkedAndReadableByTheClient() throws {
        let server = try TestServer()
        let response = try HTTPClient().get(server.url + "/stream?n=5")
        #expect(response.headers["Transfer-Encoding"] == "chunked")
        #expect(response.text == (0..<5).map { "line \($0)\n" }.joined())
    }

    @Test func streamingToHTTP10ClientEndsWithClose() throws {
        let server = try TestServer()
        let connection = try RawConnection(port: server.port)
        connection.send("GET /stream?n=2 HTTP/1.0\r\n\r\n")
        while try connection.fill() {}
        let text = String(decoding: connection.buffer, as: UTF8.self)
        #expect(text.hasSuffix("\r\n\r\nline 0\nline 1\n"))
        #expect(!text.contains("chunked"))
    }

    @Test func headRequestsGetHeadersWithoutBody() throws {
        let server = try TestServer()
        let connection = try RawConnection(port: server.port)
        connection.send("HEAD /echo HTTP/1.1\r\nHost: t\r\n\r\nGET /echo HTTP/1.1\r\nHost: t\r\n\r\n")
        let head = try #require(try connection.readResponse(head: true))
        #expect(head.headers["Content-Length"] == "2")
        #expect(try connection.readResponse()?.text == "ok")
    }

    @Test func accessLogGetsOneEntryPerRequest() throws {
        let server = try TestServer()
        let client = HTTPClient()
        _ = try client.get(server.url + "/echo")
        _ = try client.get(server.url + "/nope")
        _ = try client.get(server.url + "/items/a1?x=1")
        _ = try client.get(server.url + "/items/b2")
        #expect(waitUntil(5) { server.log.withLock { $0.count } == 4 })
        let entries = server.log.withLock { $0 }
        #expect(entries.map(\.status) == [200, 404, 200, 200])
        #expect(entries[0].line.contains("\"GET /echo\" 200 2B"))
        // The route is the matched pattern, the same for every id; "-" when nothing matched.
        #expect(entries.map(\.route) == ["/echo", "-", "/items/{id}", "/items/{id}"])
    }

    @Test func shutdownFinishesInFlightClosesIdleAndStopsAccepting() throws {
        let server = try TestServer()
        let idle = try RawConnection(port: server.port)
        idle.send("GET /echo HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try idle.readResponse()?.status == 200)
        let busy = try RawConnection(port: server.port)
        busy.send("GET /slow?ms=400 HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(waitUntil(5) { server.server.connectionCount == 2 })
        let port = server.port
        let done = DispatchSemaphore(value: 0)
        Thread { server.server.shutdown(deadline: .seconds(5)); done.signal() }.start()
        let answer = try #require(try busy.readResponse())
        #expect(answer.text == "slow")
        #expect(answer.headers["Connection"] == "close")
        #expect(try idle.fill(timeout: 5) == false)
        #expect(done.wait(timeout: .now() + 10) == .success)
        #expect(throws: (any Error).self) { _ = try RawConnection(port: port) }
    }

    @Test func anAnswerAfterTheStopWritesNothingIntoADescriptorTheProcessOpenedSince() throws {
        let server = try TestServer()
        let waiting = try RawConnection(port: server.port)
        waiting.send("GET /poll HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(waitUntil(5) { server.pending.withLock { $0.count } == 1 })
        let responder = server.pending.withLock { $0[0] }
        let wakeFDs = server.server.eventLoops.map(\.wakeFD)
        server.server.shutdown(deadline: .zero)
        // Whatever the process opens next may get the numbers the stopped loops used: take
        // each one that is free (F_DUPFD gives the lowest free number from it, atomically).
        var pipes: [(read: Int32, write: Int32)] = []
        defer { for p in pipes { Glibc.close(p.read); Glibc.close(p.write) } }
        for number in wakeFDs {
            var ends: [Int32] = [-1, -1]
            #expect(pipe(&ends) == 0)
            _ = fcntl(ends[0], F_SETFL, O_NONBLOCK)
            let taken = fcntl(ends[1], F_DUPFD_CLOEXEC, number)
            Glibc.close(ends[1])
            pipes.append((ends[0], taken))
        }
        // A long poll answered after the stop, as a gateway's waiters or a handler still running may.
        responder.respond(.text("late"))
        for p in pipes {
            var byte: UInt8 = 0
            let n = read(p.read, &byte, 1)
            #expect(n < 0 && errno == EAGAIN, "8 stray bytes reached descriptor \(p.write), once the wake-up descriptor of a stopped loop")
        }
        _ = waiting
        // What such a write puts in front of the next request of a client whose socket got the number.
        var parser = HTTPRequestParser()
        var index = 0
        let stray: [UInt8] = [1, 0, 0, 0, 0, 0, 0, 0] + Array("POST /api/orchestration/execute HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n".utf8)
        #expect(parser.next(stray, &index) == .error(HTTPParseError(400, "malformed request line: bad method")))
    }

    @Test func manyIdleConnectionsAndPendingLongPollsDoNotSlowOthers() throws {
        // Both ends of 1,100 connections live in this process: lift the soft descriptor limit.
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        if limit.rlim_cur < 4096 {
            limit.rlim_cur = min(limit.rlim_max, 8192)
            setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        let server = try TestServer { $0.handlerThreads = 4; $0.maxConnectionsPerPeer = 2_000 }
        let idle = try (0..<1000).map { _ in try RawConnection(port: server.port) }
        var polls: [RawConnection] = []
        for _ in 0..<100 {
            let c = try RawConnection(port: server.port)
            c.send("GET /poll HTTP/1.1\r\nHost: t\r\n\r\n")
            polls.append(c)
        }
        #expect(waitUntil(10) { server.pending.withLock { $0.count } == 100 })
        // The long polls hold no handler thread: blocking handlers still run on all 4.
        let client = HTTPClient()
        let start = Date()
        for _ in 0..<500 { #expect(try client.get(server.url + "/echo").status == 200) }
        let elapsed = Date().timeIntervalSince(start)
        #expect(elapsed < 5, "500 requests took \(elapsed)s beside 1,000 idle connections and 100 long polls")
        #expect(server.server.connectionCount >= 1100)
        #expect(server.releasePolls() == 100)
        for c in polls { #expect(try c.readResponse()?.text == "done") }
        _ = idle
    }
}
