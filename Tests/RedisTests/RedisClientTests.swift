import Dispatch
import Redis
import Synchronization
import Testing
import TestSupport

/// Each test but the one about the async API blocks its thread (`.blocking`); that one must run
/// on the cooperative pool, which is what it checks.
struct RedisClientTests {
    @Test(.blocking) func manyThreadsShareTheBoundedPool() throws {
        // A private server, so every connection it counts is ours.
        let server = try RedisServer.start()
        defer { server.stop() }
        let ns = "pool"
        var options = RedisOptions()
        options.poolSize = 3
        let client = try RedisClient(url: server.url, options: options)
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 16) { i in
            do {
                for j in 0..<50 {
                    _ = try client.send("INCR", "\(ns):counter")
                    let replies = try client.pipeline([RedisCommand("SET", "\(ns):\(i)", j), RedisCommand("GET", "\(ns):\(i)")])
                    if replies[1].int != Int64(j) { failures.withLock { $0.append("thread \(i) read \(replies[1])") } }
                }
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        #expect(failures.withLock { $0 } == [])
        #expect(try client.send("GET", "\(ns):counter").int == 800)
        let clients = try #require(try client.send("CLIENT", "LIST").string)
        #expect(clients.split(separator: "\n").count <= 3, "\(clients)")
    }

    @Test(.blocking) func reconnectsAfterTheServerIsKilledAndStartedAgain() throws {
        let server = try RedisServer.start()
        defer { server.stop() }
        let client = try RedisClient(url: server.url)
        #expect(try client.send("SET", "k", "before") == .status("OK"))
        server.kill()
        #expect(!client.ping())
        #expect(client.health.isDown)
        try server.restart()
        // Known down, the client sends nothing until its probe finds Redis serving again.
        #expect(waitUntil(timeout: .seconds(3)) { client.ping() })
        // The pooled connection died with the old process; the client notices before writing.
        #expect(try client.send("SET", "k", "after") == .status("OK"))
        #expect(try client.send("GET", "k").string == "after")
        #expect(client.ping())
    }

    @Test(.blocking) func aDownServerFailsPromptlyAsUnreachable() throws {
        let port = freeTCPPort()
        var options = RedisOptions()
        options.connectTimeout = .milliseconds(500)
        let client = try RedisClient(url: "redis://127.0.0.1:\(port)/0", options: options)
        let clock = ContinuousClock()
        var start = clock.now
        do {
            _ = try client.send("PING")
            Issue.record("nothing listens on \(port), yet PING answered")
        } catch RedisError.unreachable(let message) {
            #expect(message == "redis at 127.0.0.1:\(port): connection refused")
        }
        let firstCycle = clock.now - start
        #expect(firstCycle < .seconds(2))
        // Right after a failed cycle, callers are told at once.
        start = clock.now
        #expect(throws: RedisError.self) { try client.send("PING") }
        #expect(clock.now - start < .milliseconds(400))
    }

    @Test(.blocking) func retriesConnectingUntilTheServerAppears() throws {
        let server = try RedisServer.start()
        defer { server.stop() }
        server.kill()
        var options = RedisOptions()
        options.connectTimeout = .seconds(10)
        let client = try RedisClient(url: server.url, options: options)
        let restarted = Mutex<(any Error)?>(nil)
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            do { try server.restart() } catch { restarted.withLock { $0 = error } }
            done.signal()
        }
        // Blocks inside the backoff loop until the restart lands (well within 10 s).
        #expect(try client.send("PING") == .status("PONG"))
        done.wait()
        #expect(restarted.withLock { $0 == nil })
    }

    @Test func asyncVariantsRunOffTheCooperativePool() async throws {
        // A private server, so its blocked-client count is ours alone.
        let server = try RedisServer.start()
        defer { server.stop() }
        var options = RedisOptions()
        options.readTimeout = .seconds(90)  // the BLPOPs wait as long as the test needs
        let client = try RedisClient(url: server.url, options: options)
        // Four BLPOPs that block until released: with only 2 cooperative threads, all four can be
        // blocked in Redis at once only if the client runs them on threads of its own.
        // This test itself must not block its thread while waiting, or the tasks could not start.
        try await withThrowingTaskGroup(of: RedisReply.self) { group in
            for i in 0..<4 {
                group.addTask { try await client.sendAsync(RedisCommand("BLPOP", "wait\(i)", 0)) }
            }
            let clock = ContinuousClock()
            // Generous: the tasks start only when a cooperative thread is free, and other suites'
            // synchronous tests occupy those threads for seconds at a time.
            let deadline = clock.now + .seconds(60)
            var allBlocked = false
            while !allBlocked && clock.now < deadline {
                let info = try await client.sendAsync(RedisCommand("INFO", "clients")).string ?? ""
                allBlocked = info.contains("blocked_clients:4")
                if !allBlocked { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(allBlocked)
            for i in 0..<4 { _ = try await client.sendAsync(RedisCommand("RPUSH", "wait\(i)", "go")) }
            var released = 0
            for try await reply in group {
                #expect(reply.array?.last == .bulk(Array("go".utf8)))
                released += 1
            }
            #expect(released == 4)
        }
        let script = RedisScript("return redis.call('SET', KEYS[1], ARGV[1])")
        #expect(try await client.evalAsync(script, keys: ["k"], args: ["v"]) == .status("OK"))
        let replies = try await client.pipelineAsync([RedisCommand("GET", "k"), RedisCommand("DEL", "k")])
        #expect(replies == [.bulk(Array("v".utf8)), .integer(1)])
    }

    @Test(.blocking) func dedicatedConnectionBlocksWithoutHoldingThePool() throws {
        let server = try RedisServer.shared
        let ns = RedisServer.uniqueNamespace()
        var options = RedisOptions()
        options.poolSize = 1
        let client = try RedisClient(url: server.url, options: options)
        let reader = try client.dedicatedConnection()
        try reader.setReadTimeout(nil)
        let got = Mutex<RedisReply?>(nil)
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            got.withLock { $0 = try? reader.send("BLPOP", "\(ns):q", 0) }
            done.signal()
        }
        // The pool's only connection is still free for other work while the reader blocks.
        #expect(try client.send("RPUSH", "\(ns):q", "job-1").int == 1)
        #expect(done.wait(timeout: .now() + 5) == .success)
        #expect(got.withLock { $0 } == .array([.bulk(Array("\(ns):q".utf8)), .bulk(Array("job-1".utf8))]))
    }

    @Test(.blocking) func aBusyPoolTimesOutInsteadOfWaitingForever() throws {
        var options = RedisOptions()
        options.poolSize = 1
        options.connectTimeout = .milliseconds(100)
        options.readTimeout = .milliseconds(200)
        let client = try RedisClient(url: try RedisServer.shared.url, options: options)
        let holding = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            _ = try? client.withConnection { _ in
                holding.signal()
                release.wait()
            }
            finished.signal()
        }
        holding.wait()
        do {
            _ = try client.send("PING")
            Issue.record("a second borrower got the only connection")
        } catch RedisError.notSent(let message) {
            // Nothing was written: the command waited for a connection, never for Redis.
            #expect(message.contains("all 1 connections"))
        }
        #expect(!client.health.isDown, "a busy pool says nothing about Redis")
        release.signal()
        finished.wait()
        #expect(try client.send("PING") == .status("PONG"))
    }

    @Test(.blocking) func aConnectionAbandonedInsideMultiIsNotReused() throws {
        struct Abandon: Error {}
        let ns = RedisServer.uniqueNamespace()
        var options = RedisOptions()
        options.poolSize = 1
        let client = try RedisClient(url: try RedisServer.shared.url, options: options)
        #expect(throws: Abandon.self) {
            try client.withConnection { c in
                _ = try c.send("MULTI")
                _ = try c.send("SET", "\(ns):k", "queued")
                throw Abandon()
            }
        }
        // On a reused connection this SET would only be QUEUED inside the abandoned MULTI.
        #expect(try client.send("SET", "\(ns):k", "direct") == .status("OK"))
        #expect(try client.send("GET", "\(ns):k").string == "direct")
    }

    @Test(.blocking) func closedClientRefusesWork() throws {
        let client = try RedisClient(url: try RedisServer.shared.url)
        #expect(client.ping())
        client.close()
        #expect(throws: RedisError.closed) { try client.send("PING") }
    }
}
