import FleetTestSupport
import Foundation
import Glibc
import HTTP
import Redis
import Testing
import TestSupport

/// The built gateway against a Redis that freezes (SIGSTOP): "nothing was changed" must be true,
/// and once Redis is known to be down the gateway must say so at once.
@Suite(.serialized, .blocking) struct GatewayRedisOutageTests {
    @Test func aFrozenRedisGivesOutcomeUnknownOnceThen503AtOnceAndNothingRefusedEverRuns() throws {
        let server = try RedisServer.start()
        defer { server.stop() }
        let pid = try #require(server.pid)
        let namespace = RedisServer.uniqueNamespace()
        var options = RedisOptions()
        options.readTimeout = .seconds(2)
        let redis = try RedisClient(url: server.url, options: options)
        let gateway = try DaemonProcess("batch-gateway", config: """
            [redis]
            read-timeout = 2s
            """, redisURL: server.url, namespace: namespace)
        defer { gateway.stop() }
        try gateway.waitReady()
        let worker = try FakeWorker(id: "w", redis: redis, namespace: namespace)
        defer { worker.stop() }
        let client = HTTPClient(connectTimeout: .seconds(2), requestTimeout: .seconds(30))
        func execute(_ key: String) throws -> HTTPClientResponse {
            try client.request("POST", gateway.url + "/api/orchestration/execute", headers: ["Content-Type": "application/json"],
                               body: Array(#"{"jobType":"noop","idempotencyKey":"\#(key)"}"#.utf8))
        }
        func executions() throws -> Int {
            try redis.send("KEYS", "batch:{\(namespace)}:exec:*").array?.count ?? -1
        }
        let seen = try waitUntil(timeout: .seconds(10), poll: .milliseconds(100)) { try execute("probe").status == 202 }
        #expect(seen, "the gateway never saw the fake worker's job type:\n\(gateway.log.suffix(2000))")
        let before = try executions()

        #expect(kill(pid, SIGSTOP) == 0)
        var resumed = false
        defer { if !resumed { kill(pid, SIGCONT) } }
        let clock = ContinuousClock()

        // The first request may reach Redis' socket before anyone knows it is frozen: then its
        // outcome is unknown (504, said so), within about the read timeout. If the gateway's own
        // traffic found Redis frozen first, it is refused like the rest.
        var start = clock.now
        let first = try execute("first")
        let firstTook = clock.now - start
        #expect(first.status == 504 || first.status == 503, "\(first.status) \(String(decoding: first.body, as: UTF8.self))")
        #expect(firstTook < .seconds(4), "first answer took \(firstTook)")
        let unknown = first.status == 504 ? 1 : 0
        if first.status == 504 {
            let text = String(decoding: first.body, as: UTF8.self)
            #expect(text.contains("outcome-unknown") && text.contains("may or may not have been applied") && text.contains("idempotencyKey"), "\(text)")
        }

        // Later ones: 503 "nothing was changed", at once, with Retry-After.
        var slowest = Duration.zero
        for i in 0..<10 {
            start = clock.now
            let r = try execute("refused-\(i)")
            slowest = max(slowest, clock.now - start)
            let text = String(decoding: r.body, as: UTF8.self)
            #expect(r.status == 503, "\(r.status) \(text)")
            #expect(text.contains("nothing was changed") && text.contains("redis-unavailable"), "\(text)")
            #expect(r.headers["Retry-After"] == "1")
        }
        #expect(slowest < .milliseconds(500), "slowest 503 took \(slowest)")
        start = clock.now
        let health = try client.get(gateway.url + "/health")
        let healthTook = clock.now - start
        #expect(health.status == 503)
        #expect(String(decoding: health.body, as: UTF8.self).contains("not serving"), "\(String(decoding: health.body, as: UTF8.self))")
        #expect(healthTook < .milliseconds(500), "/health took \(healthTook)")
        print("frozen Redis: first answer \(first.status) after \(firstTook), slowest later 503 \(slowest), /health \(healthTook)")

        #expect(kill(pid, SIGCONT) == 0)
        resumed = true
        start = clock.now
        let back = try waitUntil(timeout: .seconds(10), poll: .milliseconds(50)) { try execute("after").status == 202 }
        #expect(back, "\(gateway.log.suffix(2000))")
        print("service resumed \(clock.now - start) after SIGCONT")
        #expect(try client.get(gateway.url + "/health").status == 200)
        // What was answered 503 never ran: only the unknown one (it sat in Redis' socket) and the
        // one after resuming were created.
        #expect(waitUntil(timeout: .seconds(5)) { redis.ping() })
        #expect(try executions() == before + unknown + 1)
    }
}
