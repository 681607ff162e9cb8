/// A section that appears once, such as `[redis]`: its typed fields and how keys fill them.
protocol ConfigSection: Sendable {
    static var sectionName: String { get }
    static var keys: [ConfigKey<Self>] { get }
    /// Words people write for a key, mapped to the real key, for suggestions.
    static var aliases: [String: String] { get }
}

extension ConfigSection {
    static var aliases: [String: String] { [:] }
}

/// `[redis]`: where the shared state lives.
public struct RedisSettings: ConfigSection, Hashable {
    public var url = "redis://127.0.0.1:6379/0"
    /// Keeps deployments that share one Redis apart: keys are `batch:{NS}:...`.
    public var namespace = "default"
    public var connectTimeout: Duration = .seconds(2)
    public var readTimeout: Duration = .seconds(5)
    /// Connections each daemon keeps open.
    public var poolSize = 8
    /// A file whose first line is the Redis password (AUTH), so the secret need not sit in the
    /// world-readable configuration, the environment or argv; it overrides a password in `url`.
    public var passwordFile: String?
    public init() {}

    static let sectionName = "redis"
    static var keys: [ConfigKey<Self>] {[
        .custom("url") { s, v in ConfigCheck.redisURL(v) ?? { s.url = v; return nil }() },
        .custom("namespace") { s, v in ConfigCheck.name(v) ?? { s.namespace = v; return nil }() },
        .duration("connect-timeout", \.connectTimeout, min: .milliseconds(1)),
        .duration("read-timeout", \.readTimeout, min: .milliseconds(1)),
        .int("pool-size", \.poolSize, 1...1024),
        .optional("password-file", \.passwordFile),
    ]}
    static var aliases: [String: String] { ["password": "password-file", "auth-file": "password-file", "host": "url", "address": "url", "ns": "namespace", "timeout": "read-timeout"] }
}

/// Severity of a log line, least severe first.
public enum LogLevel: String, Sendable, CaseIterable, Comparable, Codable {
    case debug, info, notice, warning, error

    public static func < (a: LogLevel, b: LogLevel) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

public enum LogFormat: String, Sendable, CaseIterable, Codable {
    /// `2026-11-25T12:00:00.000Z info msg key=value`
    case text
    /// One JSON object per line.
    case json
}

/// `[log]`
public struct LogSettings: ConfigSection, Hashable {
    public var level: LogLevel = .info
    public var format: LogFormat = .text
    public init() {}

    static let sectionName = "log"
    static var keys: [ConfigKey<Self>] {[.choice("level", \.level), .choice("format", \.format)]}
    static var aliases: [String: String] { ["verbosity": "level", "loglevel": "level"] }
}

/// `[http]`: limits of the HTTP server every daemon runs.
public struct HTTPSettings: ConfigSection, Hashable {
    public var maxConnections = 10_000
    /// Connections one peer address may hold; on loopback every local client is one peer.
    public var maxConnectionsPerPeer = 1_000
    public var maxHeaderBytes = 32 * 1024
    public var maxBody = 1 << 20
    public var headerTimeout: Duration = .seconds(10)
    public var bodyTimeout: Duration = .seconds(30)
    public var idleTimeout: Duration = .seconds(60)
    public var handlerThreads = 16
    /// Threads that accept, read and write connections; 0: one per CPU.
    public var eventLoops = 0
    /// A file holding the bearer token mutating requests must carry; nil: no token required.
    public var tokenFile: String?
    public init() {}

    static let sectionName = "http"
    static var keys: [ConfigKey<Self>] {[
        .int("max-connections", \.maxConnections, 1...1_000_000),
        .int("max-connections-per-peer", \.maxConnectionsPerPeer, 1...1_000_000),
        .bytes("max-header-bytes", \.maxHeaderBytes, 1024...(16 << 20)),
        .bytes("max-body", \.maxBody, 1024...(1 << 30)),
        .duration("header-timeout", \.headerTimeout, min: .milliseconds(1)),
        .duration("body-timeout", \.bodyTimeout, min: .milliseconds(1)),
        .duration("idle-timeout", \.idleTimeout, min: .milliseconds(1)),
        .int("handler-threads", \.handlerThreads, 1...1024),
        .int("event-loops", \.eventLoops, 0...256),
        .optional("token-file", \.tokenFile),
    ]}
    static var aliases: [String: String] { ["token": "token-file", "threads": "handler-threads", "max-body-bytes": "max-body"] }
}

/// `[client]`: what `batchctl` and `batchtop` use to reach the fleet.
public struct ClientSettings: ConfigSection, Hashable {
    /// A gateway URL; nil: a live gateway registered in Redis.
    public var gateway: String?
    public var timeout: Duration = .seconds(10)
    public init() {}

    static let sectionName = "client"
    static var keys: [ConfigKey<Self>] {[
        .custom("gateway") { s, v in
            if v.isEmpty || v == "none" { s.gateway = nil; return nil }
            return ConfigCheck.httpURL(v) ?? { s.gateway = v; return nil }()
        },
        .duration("timeout", \.timeout, min: .milliseconds(1)),
    ]}
    static var aliases: [String: String] { ["url": "gateway", "gateway-url": "gateway"] }
}
