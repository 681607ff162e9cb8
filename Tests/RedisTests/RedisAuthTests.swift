import Redis
import Testing
import TestSupport

/// Password and ACL logins against a server of their own.
@Suite(.blocking)
struct RedisAuthTests {
    @Test func wrongPasswordFailsWithAClearError() throws {
        let server = try RedisServer.start(extraConfig: ["requirepass right-one"])
        defer { server.stop() }
        do {
            _ = try RedisConnection(url: RedisURL(parsing: "redis://:wrong-one@127.0.0.1:\(server.port)/0"))
            Issue.record("a wrong password was accepted")
        } catch RedisError.authFailed(let message) {
            #expect(message.contains("127.0.0.1:\(server.port)"))
            #expect(message.contains("WRONGPASS"))
            #expect(message.contains("check the credentials"))
            #expect(!message.contains("wrong-one"))
        }
        let good = try RedisConnection(url: RedisURL(parsing: "redis://:right-one@127.0.0.1:\(server.port)/0"))
        #expect(try good.send("PING") == .status("PONG"))
    }

    @Test func missingPasswordSaysWhereToPutIt() throws {
        let server = try RedisServer.start(extraConfig: ["requirepass pw"])
        defer { server.stop() }
        let c = try RedisConnection(url: RedisURL(parsing: server.url))
        do {
            _ = try c.send("GET", "x")
            Issue.record("NOAUTH was not reported")
        } catch RedisError.authFailed(let message) {
            #expect(message.contains("requires a password"))
        }
    }

    @Test func aclUserLogsInWithItsOwnRights() throws {
        let server = try RedisServer.start(extraConfig: [
            "user alice on >alice-pw ~app:* +@all",
            "user default off",
        ])
        defer { server.stop() }
        let alice = try RedisConnection(url: RedisURL(parsing: "redis://alice:alice-pw@127.0.0.1:\(server.port)/0"))
        #expect(try alice.send("ACL", "WHOAMI").string == "alice")
        #expect(try alice.send("SET", "app:k", "v") == .status("OK"))
        do {
            _ = try alice.send("SET", "other:k", "v")
            Issue.record("ACL key pattern not applied")
        } catch RedisError.server(let message) {
            #expect(message.hasPrefix("NOPERM"))
        }
        #expect(throws: RedisError.self) {
            try RedisConnection(url: RedisURL(parsing: "redis://alice:bad@127.0.0.1:\(server.port)/0"))
        }
        let client = try RedisClient(url: "redis://alice:alice-pw@127.0.0.1:\(server.port)/0")
        #expect(try client.send("GET", "app:k").string == "v")
    }

    @Test func clientDoesNotRetryARefusedLogin() throws {
        let server = try RedisServer.start(extraConfig: ["requirepass pw"])
        defer { server.stop() }
        var options = RedisOptions()
        options.connectTimeout = .seconds(5)
        let client = try RedisClient(url: "redis://:nope@127.0.0.1:\(server.port)/0", options: options)
        let clock = ContinuousClock()
        let start = clock.now
        #expect(throws: RedisError.self) { try client.send("PING") }
        #expect(clock.now - start < .seconds(1))
        #expect(!client.ping())
    }
}
