/// The options every program shares (DESIGN.md §1), declared once, and how their values
/// become configuration overrides (`--redis URL` → `redis.url`).
public enum CommonOptions {
    /// `--config`, `--redis`, `--namespace`, `--log-level`: every program takes these.
    public static let client: [OptionSpec] = [
        .value("config", "PATH", help: "Configuration file (env BATCH_CONFIG).", default: Configuration.defaultPath),
        .value("redis", "URL", help: "Redis to use (env BATCH_REDIS_URL).", default: RedisSettings().url),
        .value("namespace", "NS", help: "Namespace of the deployment (env BATCH_NAMESPACE).", default: RedisSettings().namespace),
        .value("log-level", "LEVEL", help: "debug, info, notice, warning or error (env BATCH_LOG_LEVEL).", default: LogLevel.info.rawValue),
    ]

    /// The client options plus `--gateway`, for `batchctl` and `batchtop`.
    public static let tool: [OptionSpec] = client + [
        .value("gateway", "URL", help: "Gateway to talk to (env BATCH_GATEWAY_URL).", default: "a live gateway found in Redis"),
        .flag("version", help: "Print the version and exit."),
    ]

    /// The client options plus `--listen` and `--id` for a daemon whose settings live in `[section]`.
    public static func daemon(section: String, defaultListen: HostPort) -> [OptionSpec] {
        client + [
            .value("listen", "HOST:PORT", help: "Address of the HTTP endpoint.", default: defaultListen.description),
            .value("id", "ID", help: "Name of this instance.", default: "\(section)-<host>-<port>"),
        ]
    }

    /// The flags given, as `section.key` overrides for `Configuration.apply(overrides:)`.
    /// `section` is the daemon's own section (`gateway`, `worker`, `scheduler`), nil for clients.
    public static func overrides(from parsed: ParsedCommand, section: String? = nil) -> [String: String] {
        var out: [String: String] = [:]
        var map = [("redis", "redis.url"), ("namespace", "redis.namespace"), ("log-level", "log.level"), ("gateway", "client.gateway")]
        if let section { map += [("listen", "\(section).listen"), ("id", "\(section).id")] }
        for (flag, key) in map {
            if let v = parsed.value(flag) { out[key] = v }
        }
        return out
    }
}
