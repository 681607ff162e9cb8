import Redis
import Testing
import TestSupport

/// A master, a replica and a sentinel, all started here; the client must follow failovers.
struct RedisSentinelTests {
    static let masterName = "batchmaster"

    @Test(.timeLimit(.minutes(2)))
    func clientFollowsFailoverAfterMasterCrashAndAfterManualFailover() throws {
        // No 5 s wait before each full sync (a demoted master syncs in full from the new one).
        let fastSync = "repl-diskless-sync-delay 0"
        let first = try RedisServer.start(extraConfig: [fastSync])
        defer { first.stop() }
        let second = try RedisServer.start(extraConfig: [fastSync, "replicaof 127.0.0.1 \(first.port)"])
        defer { second.stop() }
        try expectReplicating(second, from: first)

        let sentinel = try RedisServer.startSentinel(masterName: Self.masterName, masterPort: first.port)
        defer { sentinel.stop() }
        let sentinelConnection = try RedisConnection(url: RedisURL(parsing: sentinel.url))
        let sentinelKnowsReplica = try waitUntil(timeout: .seconds(20)) {
            let replicas = try sentinelConnection.send("SENTINEL", "replicas", Self.masterName).array ?? []
            return replicas.contains { ($0.array?.compactMap(\.string) ?? []).contains("\(second.port)") }
        }
        #expect(sentinelKnowsReplica, "sentinel log:\n\(sentinel.logTail)")

        var options = RedisOptions()
        options.connectTimeout = .seconds(1)
        options.readTimeout = .seconds(2)
        let client = try RedisClient(url: "redis+sentinel://127.0.0.1:\(sentinel.port)/\(Self.masterName)/0", options: options)
        #expect(try client.send("SET", "k", "written-to-first") == .status("OK"))
        #expect(try serverPort(client) == first.port)
        _ = try client.send("WAIT", 1, 2000)

        // Crash: the sentinel sees the master down after 1 s and promotes the replica.
        first.kill()
        let followedCrash = waitUntil(timeout: .seconds(30), poll: .milliseconds(100)) {
            (try? client.send("SET", "k2", "written-to-second")) != nil && (try? serverPort(client)) == second.port
        }
        #expect(followedCrash, "sentinel log:\n\(sentinel.logTail)")
        #expect(try client.send("GET", "k").string == "written-to-first")

        // The old master returns; the sentinel turns it into a replica of the new one.
        try first.restart()
        try expectReplicating(first, from: second, timeout: .seconds(30), sentinel: sentinel)

        // Manual failover back: the client holds pooled connections to a server that is demoted
        // under it (READONLY or a dropped connection) and must find the new master.
        // The sentinel answers NOGOODSLAVE until its own view of the returned server catches up.
        let failoverAccepted = waitUntil(timeout: .seconds(30), poll: .milliseconds(250)) {
            (try? sentinelConnection.send("SENTINEL", "FAILOVER", Self.masterName)) == .status("OK")
        }
        #expect(failoverAccepted, "sentinel log:\n\(sentinel.logTail)")
        let followedManual = waitUntil(timeout: .seconds(30), poll: .milliseconds(100)) {
            (try? client.send("SET", "k3", "written-to-first-again")) != nil && (try? serverPort(client)) == first.port
        }
        #expect(followedManual, "sentinel log:\n\(sentinel.logTail)")
        #expect(try client.send("GET", "k2").string == "written-to-second")
    }

    private func serverPort(_ client: RedisClient) throws -> Int {
        let info = try client.send("INFO", "server").string ?? ""
        let line = info.split(whereSeparator: \.isNewline).first { $0.hasPrefix("tcp_port:") } ?? ""
        return Int(line.dropFirst("tcp_port:".count)) ?? -1
    }

    private func expectReplicating(_ replica: RedisServer, from master: RedisServer,
                                   timeout: Duration = .seconds(20), sentinel: RedisServer? = nil) throws {
        let connection = try RedisConnection(url: RedisURL(parsing: replica.url))
        // A server that the sentinel demotes drops its clients: a failed INFO just means "not yet".
        let linked = waitUntil(timeout: timeout, poll: .milliseconds(50)) {
            let info = (try? connection.send("INFO", "replication"))?.string ?? ""
            return info.contains("master_port:\(master.port)") && info.contains("master_link_status:up")
        }
        #expect(linked, "replica log:\n\(replica.logTail)\nsentinel log:\n\(sentinel?.logTail ?? "-")")
    }
}
