import Redis
import Testing
import TestSupport

/// A master, a replica and a sentinel, all started here; the client must follow failovers.
///
/// Every wait is on a state the test can observe (replication links, the sentinel's own answers),
/// with deadlines of tens of seconds: on a loaded 2-core machine the sentinel's timers (1 s pings,
/// 10 s INFO polls of replicas) and full syncs run late, and only the order of events is certain.
@Suite(.blocking)
struct RedisSentinelTests {
    static let masterName = "batchmaster"

    @Test(.timeLimit(.minutes(6)))
    func clientFollowsFailoverAfterMasterCrashAndAfterManualFailover() throws {
        // No 5 s wait before each full sync (a demoted master syncs in full from the new one).
        let fastSync = "repl-diskless-sync-delay 0"
        let first = try RedisServer.start(extraConfig: [fastSync])
        defer { first.stop() }
        let second = try RedisServer.start(extraConfig: [fastSync, "replicaof 127.0.0.1 \(first.port)"])
        defer { second.stop() }
        try expectReplicating(second, from: first)

        // 3 s without answers before "down": a starved but live master must not look crashed.
        // 10 s to promote: a promotion that runs late is not aborted (a retry would wait 20 s more).
        let sentinel = try RedisServer.startSentinel(masterName: Self.masterName, masterPort: first.port,
                                                     downAfter: .seconds(3), failoverTimeout: .seconds(10))
        defer { sentinel.stop() }
        let sentinelConnection = try RedisConnection(url: RedisURL(parsing: sentinel.url))
        let sentinelKnowsReplica = waitUntil(timeout: .seconds(60), poll: .milliseconds(100)) {
            isUsableReplica(second, in: sentinelConnection)
        }
        try #require(sentinelKnowsReplica, "sentinel log:\n\(sentinel.logTail)")

        var options = RedisOptions()
        options.connectTimeout = .seconds(2)
        options.readTimeout = .seconds(5)
        let client = try RedisClient(url: "redis+sentinel://127.0.0.1:\(sentinel.port)/\(Self.masterName)/0", options: options)
        #expect(try client.send("SET", "k", "written-to-first") == .status("OK"))
        #expect(try serverPort(client) == first.port)
        // The write must reach the replica before the crash, or the promoted replica lacks it.
        let replicated = waitUntil(timeout: .seconds(30), poll: .milliseconds(50)) {
            ((try? client.send("WAIT", 1, 1000))?.int ?? 0) >= 1
        }
        try #require(replicated, "replica log:\n\(second.logTail)")

        // Crash: the sentinel sees the master down and promotes the replica.
        first.kill()
        let sentinelPromotedSecond = waitUntil(timeout: .seconds(90), poll: .milliseconds(100)) {
            masterPort(in: sentinelConnection) == second.port
        }
        try #require(sentinelPromotedSecond, "sentinel log:\n\(sentinel.logTail)")
        let followedCrash = waitUntil(timeout: .seconds(60), poll: .milliseconds(100)) {
            (try? client.send("SET", "k2", "written-to-second")) != nil && (try? serverPort(client)) == second.port
        }
        try #require(followedCrash, "sentinel log:\n\(sentinel.logTail)")
        #expect(try client.send("GET", "k").string == "written-to-first")

        // The old master returns. The sentinel would demote it by itself, but only after 8 s of
        // stable reports read on a 10 s INFO cycle; an operator's REPLICAOF gets there sooner, and
        // the sentinel then sees a replica that reports itself as one.
        try first.restart()
        let demoted = waitUntil(timeout: .seconds(30), poll: .milliseconds(100)) {
            guard let connection = try? RedisConnection(url: RedisURL(parsing: first.url)) else { return false }
            defer { connection.close() }
            return (try? connection.send("REPLICAOF", "127.0.0.1", second.port)) == .status("OK")
        }
        try #require(demoted, "old master log:\n\(first.logTail)")
        try expectReplicating(first, from: second, timeout: .seconds(60), sentinel: sentinel)
        let sentinelSeesReturned = waitUntil(timeout: .seconds(90), poll: .milliseconds(250)) {
            isUsableReplica(first, in: sentinelConnection)
        }
        try #require(sentinelSeesReturned, "sentinel log:\n\(sentinel.logTail)")

        // Manual failover back: the client holds pooled connections to a server that is demoted
        // under it (READONLY or a dropped connection) and must find the new master. A failover the
        // sentinel accepted but then aborted (promotion too slow) is asked for again.
        let sentinelPromotedFirst = waitUntil(timeout: .seconds(120), poll: .milliseconds(500)) {
            if masterPort(in: sentinelConnection) == first.port { return true }
            // NOGOODSLAVE while the sentinel's view of the replica lags, INPROG while one runs.
            _ = try? sentinelConnection.send("SENTINEL", "FAILOVER", Self.masterName)
            return masterPort(in: sentinelConnection) == first.port
        }
        try #require(sentinelPromotedFirst, "sentinel log:\n\(sentinel.logTail)")
        let followedManual = waitUntil(timeout: .seconds(60), poll: .milliseconds(100)) {
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

    /// Where the sentinel says the master is now (nil when it cannot answer).
    private func masterPort(in sentinel: RedisConnection) -> Int? {
        guard let pair = (try? sentinel.send("SENTINEL", "get-master-addr-by-name", Self.masterName))?.array,
              pair.count == 2 else { return nil }
        return pair[1].string.flatMap { Int($0) } ?? pair[1].int.map { Int($0) }
    }

    /// Whether the sentinel lists `replica` as a replica it could promote: flags exactly "slave"
    /// (not down, not disconnected) and its link to the master up.
    private func isUsableReplica(_ replica: RedisServer, in sentinel: RedisConnection) -> Bool {
        guard let replicas = (try? sentinel.send("SENTINEL", "replicas", Self.masterName))?.array else { return false }
        return replicas.contains { entry in
            let words = entry.array?.compactMap(\.string) ?? []
            var fields = [String: String]()
            for index in stride(from: 0, to: words.count - 1, by: 2) { fields[words[index]] = words[index + 1] }
            return fields["port"] == "\(replica.port)" && fields["flags"] == "slave"
                && fields["master-link-status"] == "ok"
        }
    }

    private func expectReplicating(_ replica: RedisServer, from master: RedisServer,
                                   timeout: Duration = .seconds(30), sentinel: RedisServer? = nil) throws {
        // A server that the sentinel demotes drops its clients: a failed INFO just means "not yet",
        // and the next poll connects again.
        let linked = waitUntil(timeout: timeout, poll: .milliseconds(100)) {
            guard let connection = try? RedisConnection(url: RedisURL(parsing: replica.url)) else { return false }
            defer { connection.close() }
            let info = (try? connection.send("INFO", "replication"))?.string ?? ""
            return info.contains("master_port:\(master.port)") && info.contains("master_link_status:up")
        }
        try #require(linked, "replica log:\n\(replica.logTail)\nsentinel log:\n\(sentinel?.logTail ?? "-")")
    }
}
