import Testing
@testable import Redis

struct RedisURLTests {
    static let valid: [(String, RedisURL)] = [
        ("redis://127.0.0.1:6379/0", RedisURL(endpoint: .tcp(.init(host: "127.0.0.1", port: 6379)))),
        ("redis://localhost", RedisURL(endpoint: .tcp(.init(host: "localhost", port: 6379)))),
        ("redis://localhost/", RedisURL(endpoint: .tcp(.init(host: "localhost", port: 6379)))),
        ("redis://h:7000/3", RedisURL(endpoint: .tcp(.init(host: "h", port: 7000)), database: 3)),
        ("redis://:s3cret@h:1/2", RedisURL(endpoint: .tcp(.init(host: "h", port: 1)), password: "s3cret", database: 2)),
        ("redis://s3cret@h", RedisURL(endpoint: .tcp(.init(host: "h", port: 6379)), password: "s3cret")),
        ("redis://alice:pw@h:6380/1", RedisURL(endpoint: .tcp(.init(host: "h", port: 6380)), username: "alice", password: "pw", database: 1)),
        ("redis://alice:p%40ss%3Aw@h", RedisURL(endpoint: .tcp(.init(host: "h", port: 6379)), username: "alice", password: "p@ss:w")),
        ("redis://u:a@b@h", RedisURL(endpoint: .tcp(.init(host: "h", port: 6379)), username: "u", password: "a@b")),
        ("REDIS://h:1", RedisURL(endpoint: .tcp(.init(host: "h", port: 1)))),
        ("redis://[::1]:6390/4", RedisURL(endpoint: .tcp(.init(host: "::1", port: 6390)), database: 4)),
        ("redis://[::1]", RedisURL(endpoint: .tcp(.init(host: "::1", port: 6379)))),
        ("unix:///run/redis.sock", RedisURL(endpoint: .unix(path: "/run/redis.sock"))),
        ("unix:///run/redis.sock?db=5", RedisURL(endpoint: .unix(path: "/run/redis.sock"), database: 5)),
        ("unix:///tmp/r.sock?db=1&password=pw&user=bob",
         RedisURL(endpoint: .unix(path: "/tmp/r.sock"), username: "bob", password: "pw", database: 1)),
        ("redis+sentinel://h1:26379,h2:26380/mymaster/2",
         RedisURL(endpoint: .sentinel(nodes: [.init(host: "h1", port: 26379), .init(host: "h2", port: 26380)], masterName: "mymaster"), database: 2)),
        ("redis+sentinel://h1,h2/mymaster",
         RedisURL(endpoint: .sentinel(nodes: [.init(host: "h1", port: 26379), .init(host: "h2", port: 26379)], masterName: "mymaster"))),
        ("redis+sentinel://:pw@h1:1/m",
         RedisURL(endpoint: .sentinel(nodes: [.init(host: "h1", port: 1)], masterName: "m"), password: "pw")),
    ]

    @Test(arguments: valid)
    func parsesValidURL(_ text: String, _ expected: RedisURL) throws {
        #expect(try RedisURL(parsing: text) == expected)
    }

    static let invalid: [(String, String)] = [
        ("127.0.0.1:6379", "missing scheme"),
        ("http://h:1", "unknown scheme"),
        ("rediss://h:1", "TLS"),
        ("redis://:6379", "missing host"),
        ("redis://h:0", "port \"0\""),
        ("redis://h:99999", "port \"99999\""),
        ("redis://h:abc", "port \"abc\""),
        ("redis://h:1/x", "database \"x\""),
        ("redis://h:1/-1", "database \"-1\""),
        ("redis://h:1/0/extra", "unexpected path"),
        ("redis://h:1/0?db=1", "unknown query parameter"),
        ("redis://[::1:6379", "unclosed"),
        ("redis://u:p%zz@h", "percent-escape"),
        ("unix://relative.sock", "absolute"),
        ("unix:///r.sock?timeout=1", "unknown query parameter \"timeout\""),
        ("redis+sentinel://h1:26379", "missing master name"),
        ("redis+sentinel://h1:26379/", "missing master name"),
        ("redis+sentinel://h1:26379,/m", "missing host"),
        ("redis+sentinel://h1/m/0/x", "too many path parts"),
    ]

    @Test(arguments: invalid)
    func rejectsInvalidURLSayingWhy(_ text: String, _ reason: String) {
        do {
            let url = try RedisURL(parsing: text)
            Issue.record("expected \(text) to be refused, got \(url)")
        } catch let RedisError.invalidURL(message) {
            #expect(message.contains(reason), "message was: \(message)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func errorsAndDescriptionNeverShowThePassword() throws {
        let url = try RedisURL(parsing: "redis://alice:hunter2@h:1/0")
        #expect(!url.description.contains("hunter2"))
        #expect(url.description == "redis://alice:***@h:1/0")
        do {
            _ = try RedisURL(parsing: "redis://alice:hunter2@h:badport")
        } catch {
            #expect(!"\(error)".contains("hunter2"))
        }
    }
}
