import Dispatch
import Glibc
import Redis
import Testing
import TestSupport

/// "Nothing was changed" only when the command never left; "outcome unknown" when it was sent
/// and no answer came; and while Redis is known to be down, nothing is sent at all.
struct RedisOutcomeTests {
    // MARK: the tracker, pure

    @Test func healthGoesDownOnFailuresThatSayRedisIsNotServingAndUpOnAnyReply() {
        let t0 = ContinuousClock.now
        var h = RedisHealth()
        #expect(h.refusal(at: t0) == nil)
        // A refusal by Redis is an answer; a busy pool or a broken write says nothing of Redis.
        let r1 = h.failed(.server("ERR wrong number of arguments"), at: t0)
        #expect(!r1)
        let r2 = h.failed(.notSent("all 8 connections stayed busy"), at: t0)
        #expect(!r2)
        #expect(!h.isDown)
        let r3 = h.failed(.timeout("no reply within 5 seconds"), at: t0 + .seconds(1))
        #expect(r3)
        let r4 = h.failed(.loading("LOADING Redis is loading the dataset in memory"), at: t0 + .seconds(2))
        #expect(!r4)
        #expect(h.consecutiveFailures == 2)
        // Down since the first failure; refused as loading, the latest cause, without sending.
        #expect(h.state == .down(since: t0 + .seconds(1), cause: .loading("LOADING Redis is loading the dataset in memory")))
        let refusal = h.refusal(at: t0 + .seconds(4))
        #expect(refusal == .loading("Redis has been loading its data set for 3.0s; the command was not sent"))
        #expect(refusal?.neverRan == true)
        let r5 = h.replied(at: t0 + .seconds(5))
        #expect(r5)
        #expect(!h.isDown && h.consecutiveFailures == 0 && h.lastReply == t0 + .seconds(5))
        let r6 = h.failed(.unreachable("connection refused"), at: t0 + .seconds(6))
        #expect(r6)
        #expect(h.refusal(at: t0 + .milliseconds(6_250)) == .unreachable(
            "connection refused (not serving for 0.2s; the command was not sent)"))
    }

    @Test func everyErrorSaysWhetherItsCommandRanOrMayHave() {
        let cases: [(RedisError, neverRan: Bool, unknown: Bool)] = [
            (.unreachable("refused"), true, false), (.notSent("reset before any byte"), true, false),
            (.loading("LOADING"), true, false), (.closed, true, false), (.authFailed("WRONGPASS"), true, false),
            (.timeout("no reply"), false, true), (.io("reset after sending"), false, true), (.protocolError("bad"), false, true),
            (.server("ERR"), false, false),
        ]
        for (error, neverRan, unknown) in cases {
            #expect(error.neverRan == neverRan, "\(error)")
            #expect(error.outcomeUnknown == unknown, "\(error)")
        }
        #expect(RedisError(reply: "LOADING Redis is loading the dataset in memory") == .loading("LOADING Redis is loading the dataset in memory"))
        #expect(RedisError(reply: "ERR unknown command") == .server("ERR unknown command"))
    }

    // MARK: against real sockets

    @Test(.blocking) func aWriteRefusedBeforeAnyByteLeftIsNotSent() throws {
        // A server that resets the connection once the client holds it: the write fails with nothing sent.
        let connected = DispatchSemaphore(value: 0)
        let fake = try FakeRedis { fd in
            _ = connected.wait(timeout: .now() + 10)
            var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
            Glibc.close(fd)
        }
        defer { fake.close() }
        let connection = try RedisConnection(url: RedisURL(parsing: "redis://127.0.0.1:\(fake.port)/0"))
        connected.signal()
        // The reset is on its way once the server closed (loopback delivers it within the close).
        #expect(fake.acceptedOne.wait(timeout: .now() + 5) == .success)
        do {
            try connection.send("INCR", "counter")
            Issue.record("a reset connection answered")
        } catch let error as RedisError {
            guard case .notSent(let message) = error else { Issue.record("expected notSent, got \(error)"); return }
            #expect(message.contains("before any byte went out"), "\(message)")
            #expect(error.neverRan)
        }
    }

    @Test(.blocking) func aWriteCutShortIsOutcomeUnknown() throws {
        // A server that never reads: a command larger than the socket buffers leaves only in part.
        let fake = try FakeRedis { _ in }
        defer { fake.close() }
        var options = RedisOptions()
        options.readTimeout = .milliseconds(300)
        let connection = try RedisConnection(url: RedisURL(parsing: "redis://127.0.0.1:\(fake.port)/0"), options: options)
        let big = [UInt8](repeating: 0x61, count: 32 << 20)
        do {
            try connection.send("SET", "big", big)
            Issue.record("a server that reads nothing answered")
        } catch let error as RedisError {
            guard case .timeout(let message) = error else { Issue.record("expected timeout, got \(error)"); return }
            #expect(message.contains("writing stopped after"), "\(message)")
            #expect(message.contains("may or may not run"), "\(message)")
            #expect(error.outcomeUnknown && !error.neverRan)
        }
    }

    @Test(.blocking) func aLoadingRedisRefusesUnrunAndTheClientStopsSending() throws {
        let fake = try FakeRedis(answer: "-LOADING Redis is loading the dataset in memory\r\n") { _ in }
        defer { fake.close() }
        var options = RedisOptions()
        options.probeInterval = .milliseconds(50)
        let client = try RedisClient(url: "redis://127.0.0.1:\(fake.port)/0", options: options)
        #expect(throws: RedisError.loading("LOADING Redis is loading the dataset in memory")) { try client.send("INCR", "k") }
        #expect(client.health.isDown)
        // Known to be loading: refused at once, as loading, whatever the call.
        do {
            _ = try client.pipeline([RedisCommand("INCR", "k")])
            Issue.record("a pipeline went out while Redis was known to be loading")
        } catch let error as RedisError {
            guard case .loading(let message) = error else { Issue.record("expected loading, got \(error)"); return }
            #expect(message.contains("the command was not sent"))
        }
    }

    @Test(.blocking) func aFrozenRedisIsOutcomeUnknownOnceThenRefusedAtOnceUntilItResumes() throws {
        let server = try RedisServer.start()
        defer { server.stop() }
        let pid = try #require(server.pid)
        var options = RedisOptions()
        options.readTimeout = .seconds(1)
        let client = try RedisClient(url: server.url, options: options)
        #expect(try client.send("SET", "counter", 0) == .status("OK"))
        #expect(kill(pid, SIGSTOP) == 0)
        var resumed = false
        defer { if !resumed { kill(pid, SIGCONT) } }
        let clock = ContinuousClock()

        // The first command reaches Redis' socket and waits: its outcome is unknown.
        do {
            try client.send("INCR", "counter")
            Issue.record("a stopped Redis answered")
        } catch let error as RedisError {
            guard case .timeout = error else { Issue.record("expected timeout, got \(error)"); return }
            #expect(error.outcomeUnknown)
        }
        #expect(client.health.isDown)
        // Later ones are refused at once, sent nowhere.
        for _ in 0..<5 {
            let start = clock.now
            do {
                try client.send("INCR", "counter")
                Issue.record("a command went out to a Redis known to be down")
            } catch let error as RedisError {
                #expect(error.neverRan, "\(error)")
                #expect("\(error)".contains("the command was not sent"), "\(error)")
            }
            #expect(clock.now - start < .milliseconds(200))
        }
        let start = clock.now
        #expect(!client.ping())
        #expect(clock.now - start < .milliseconds(200))

        #expect(kill(pid, SIGCONT) == 0)
        resumed = true
        #expect(waitUntil(timeout: .seconds(5)) { client.ping() })
        // The first INCR ran when Redis resumed (it was in its socket); the refused ones never did.
        #expect(try client.send("GET", "counter").string == "1")
        #expect(!client.health.isDown)
    }
}

/// A TCP listener on loopback standing in for Redis: `accepted` runs on each connection (and may
/// close it); with an `answer`, every read is answered with it; without, nothing is ever read.
final class FakeRedis: Sendable {
    let listenFD: Int32
    let port: Int
    /// Signalled after `accepted` ran for a connection.
    let acceptedOne = DispatchSemaphore(value: 0)

    init(answer: String? = nil, accepted: @escaping @Sendable (Int32) -> Void) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard fd >= 0, bound == 0, listen(fd, 16) == 0 else { throw TestSupportError("fake redis: cannot listen: errno \(errno)") }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        listenFD = fd
        port = Int(UInt16(bigEndian: addr.sin_port))
        let signal = acceptedOne
        let reply = answer.map { Array($0.utf8) }
        DispatchQueue.global().async {
            while true {
                let c = accept(fd, nil, nil)
                if c < 0 { return }
                accepted(c)
                signal.signal()
                guard let reply else { continue }  // kept open, never read
                DispatchQueue.global().async {
                    var buffer = [UInt8](repeating: 0, count: 4096)
                    while recv(c, &buffer, buffer.count, 0) > 0 { _ = send(c, reply, reply.count, Int32(MSG_NOSIGNAL)) }
                    Glibc.close(c)
                }
            }
        }
    }

    func close() {
        shutdown(listenFD, Int32(SHUT_RDWR))
        Glibc.close(listenFD)
    }
}
