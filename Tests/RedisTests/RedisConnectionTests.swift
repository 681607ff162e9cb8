import Redis
import Testing
import TestSupport

/// Commands against the shared test server, each test under its own key prefix.
@Suite(.blocking)
struct RedisConnectionTests {
    let server: RedisServer
    let ns: String

    init() throws {
        server = try RedisServer.shared
        ns = RedisServer.uniqueNamespace()
    }

    func connect(readTimeout: Duration = .seconds(5)) throws -> RedisConnection {
        var options = RedisOptions()
        options.readTimeout = readTimeout
        return try RedisConnection(url: RedisURL(parsing: server.url), options: options)
    }

    @Test func binaryKeysAndValuesRoundTrip() throws {
        let c = try connect()
        let key: [UInt8] = Array("\(ns):".utf8) + [0, 0xFF, 13, 10, 0x80]
        let value: [UInt8] = [0, 13, 10, 0xFF, 0xFE, 0, 36, 42, 13, 10]
        #expect(try c.send("SET", key, value) == .status("OK"))
        #expect(try c.send("GET", key) == .bulk(value))
        #expect(try c.send("STRLEN", key) == .integer(Int64(value.count)))
        #expect(try c.send("GET", "\(ns):missing") == .null)
        #expect(try c.send("SET", "\(ns):empty", "") == .status("OK"))
        #expect(try c.send("GET", "\(ns):empty") == .bulk([]))
    }

    @Test func tenThousandCommandPipelineKeepsOrder() throws {
        let c = try connect()
        let n = 10_000
        var commands = (0..<n).map { RedisCommand("RPUSH", "\(ns):list", $0) }
        commands.append(RedisCommand("LRANGE", "\(ns):list", 0, -1))
        let replies = try c.pipeline(commands)
        #expect(replies.count == n + 1)
        #expect(replies[0] == .integer(1))
        #expect(replies[n - 1] == .integer(Int64(n)))
        let all = try #require(replies[n].array)
        #expect(all.count == n)
        #expect(all.enumerated().allSatisfy { $0.element.int == Int64($0.offset) })
    }

    @Test func nestedRepliesDecode() throws {
        let c = try connect()
        let stream = "\(ns):events"
        let id1 = try #require(try c.send("XADD", stream, "1-1", "state", "queued", "job", "a").string)
        _ = try c.send("XADD", stream, "1-2", "state", "running")
        #expect(id1 == "1-1")
        let range = try c.send("XRANGE", stream, "-", "+")
        #expect(range == .array([
            .array([.bulk(Array("1-1".utf8)), .array(["state", "queued", "job", "a"].map { .bulk(Array($0.utf8)) })]),
            .array([.bulk(Array("1-2".utf8)), .array(["state", "running"].map { .bulk(Array($0.utf8)) })]),
        ]))
        let script = RedisScript("return {1, 'two', {3, {'four', KEYS[1]}}, ARGV[1], redis.status_reply('FINE')}")
        let reply = try c.eval(script, keys: ["k"], args: [[UInt8]([0, 1])])
        #expect(reply == .array([.integer(1), .bulk(Array("two".utf8)),
                                 .array([.integer(3), .array([.bulk(Array("four".utf8)), .bulk(Array("k".utf8))])]),
                                 .bulk([0, 1]), .status("FINE")]))
        // Null elements inside an array, a null array, a negative integer.
        _ = try c.send("HSET", "\(ns):h", "a", "1")
        #expect(try c.send("HMGET", "\(ns):h", "a", "missing", "a") == .array([.bulk([49]), .null, .bulk([49])]))
        #expect(try c.send("XREAD", "COUNT", 1, "STREAMS", stream, "$") == .null)
        #expect(try c.send("INCRBY", "\(ns):n", -5) == .integer(-5))
        #expect(try c.send("LRANGE", "\(ns):none", 0, -1) == .array([]))
    }

    @Test func errorRepliesThrowAndTheConnectionStaysUsable() throws {
        let c = try connect()
        _ = try c.send("SET", "\(ns):s", "text")
        #expect(throws: RedisError.server("WRONGTYPE Operation against a key holding the wrong kind of value")) {
            try c.send("LPUSH", "\(ns):s", "x")
        }
        do {
            _ = try c.send("NOSUCHCOMMAND", "x")
            Issue.record("unknown command accepted")
        } catch RedisError.server(let message) {
            #expect(message.hasPrefix("ERR unknown command"))
        }
        #expect(c.isConnected)
        #expect(try c.send("PING") == .status("PONG"))
        let replies = try c.pipeline([RedisCommand("INCR", "\(ns):s"), RedisCommand("ECHO", "after")])
        #expect(replies[0].errorMessage?.hasPrefix("ERR value is not an integer") == true)
        #expect(replies[1] == .bulk(Array("after".utf8)))
        #expect(throws: RedisError.server("ERR boom")) {
            try c.eval(RedisScript("return redis.error_reply('ERR boom')"), keys: [], args: [])
        }
    }

    @Test func scriptRunsAgainAfterScriptFlush() throws {
        let c = try connect()
        let script = RedisScript("return redis.call('INCRBY', KEYS[1], ARGV[1]) -- \(ns)")
        #expect(try c.eval(script, keys: ["\(ns):n"], args: [2]) == .integer(2))
        #expect(try c.send("SCRIPT", "EXISTS", script.sha1) == .array([.integer(1)]))
        _ = try c.send("SCRIPT", "FLUSH")
        #expect(try c.eval(script, keys: ["\(ns):n"], args: [3]) == .integer(5))
        #expect(try c.send("GET", "\(ns):n").int == 5)
    }

    @Test func readTimeoutThrowsTimeoutAndTheNextCallReconnects() throws {
        let c = try connect(readTimeout: .milliseconds(200))
        let clock = ContinuousClock()
        let start = clock.now
        do {
            _ = try c.send("BLPOP", "\(ns):never", 5)
            Issue.record("BLPOP returned before its 5 s block")
        } catch RedisError.timeout(let message) {
            #expect(message.contains("no reply within"))
        }
        #expect(clock.now - start < .seconds(4))
        #expect(!c.isConnected)
        #expect(try c.send("PING") == .status("PONG"))
    }

    @Test func liftedReadTimeoutLetsABlockingReadFinish() throws {
        let c = try connect(readTimeout: .milliseconds(100))
        try c.setReadTimeout(nil)
        #expect(try c.send("BLPOP", "\(ns):never", "0.3") == .null)
        try c.setReadTimeout(.milliseconds(100))
        #expect(throws: RedisError.self) { try c.send("BLPOP", "\(ns):never", 1) }
    }

    @Test func selectsTheDatabaseOfTheURL() throws {
        let c = try RedisConnection(url: RedisURL(parsing: "redis://127.0.0.1:\(server.port)/3"))
        _ = try c.send("SET", "\(ns):db", "three")
        let zero = try connect()
        #expect(try zero.send("GET", "\(ns):db") == .null)
        #expect(try c.send("GET", "\(ns):db").string == "three")
        #expect(throws: RedisError.self) { try RedisConnection(url: RedisURL(parsing: "redis://127.0.0.1:\(server.port)/999")) }
    }

    @Test func closedConnectionRefusesWork() throws {
        let c = try connect()
        c.close()
        #expect(throws: RedisError.closed) { try c.send("PING") }
    }

    @Test func unixSocketURLConnects() throws {
        let local = try RedisServer.start(unixSocket: true)
        defer { local.stop() }
        let url = try #require(local.unixURL)
        let c = try RedisConnection(url: RedisURL(parsing: url))
        #expect(try c.send("PING") == .status("PONG"))
        let info = try #require(try c.send("CLIENT", "LIST").string)
        #expect(info.contains("laddr=\(try #require(local.unixSocketPath))"), "\(info)")
    }
}
