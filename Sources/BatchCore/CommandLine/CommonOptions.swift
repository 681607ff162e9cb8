/// The options every program shares (DESIGN.md §1), declared once, and how their values
/// become configuration overrides (`--redis URL` → `redis.url`). Programs read them by
/// these names.
public enum CommonOptions {
    public static let config = OptionSpec.value("config", "PATH", help: "Configuration file (env BATCH_CONFIG).",
                                                default: Configuration.defaultPath)
    public static let redis = OptionSpec.value("redis", "URL", help: "Redis to use (env BATCH_REDIS_URL).", default: RedisSettings().url)
    public static let namespace = OptionSpec.value("namespace", "NS", help: "Namespace of the deployment (env BATCH_NAMESPACE).",
                                                   default: RedisSettings().namespace)
    public static let logLevel = OptionSpec.value("log-level", "LEVEL", help: "debug, info, notice, warning or error (env BATCH_LOG_LEVEL).",
                                                  default: LogLevel.info.rawValue)
    public static let gateway = OptionSpec.value("gateway", "URL", help: "Gateway to talk to (env BATCH_GATEWAY_URL).",
                                                 default: "a live gateway found in Redis")
    public static let version = OptionSpec.flag("version", help: "Print the version and exit.")
    public static let tokenFile = OptionSpec.value("token-file", "PATH", help: "File holding the gateway's bearer token (env BATCH_TOKEN_FILE).")
    /// A daemon's; its default (the daemon's own address) is set by `daemon(section:defaultListen:)`.
    public static let listen = OptionSpec.value("listen", "HOST:PORT", help: "Address of the HTTP endpoint.")
    public static let id = OptionSpec.value("id", "ID", help: "Name of this instance.")
    public static let checkConfig = OptionSpec.flag("check-config", help: "Read the configuration, report any problem, and exit.")

    /// `--config`, `--redis`, `--namespace`, `--log-level`: every program takes these.
    public static let client: [OptionSpec] = [config, redis, namespace, logLevel]

    /// The client options plus `--gateway`, for `batchctl` and `batchtop`.
    public static let tool: [OptionSpec] = client + [gateway, version]

    /// The client options plus `--listen` and `--id` for a daemon whose settings live in `[section]`.
    public static func daemon(section: String, defaultListen: HostPort) -> [OptionSpec] {
        client + [
            listen.described(listen.help, default: defaultListen.description),
            id.described(id.help, default: "\(section)-<host>-<port>"),
        ]
    }

    /// The flags given, as `section.key` overrides for `Configuration.apply(overrides:)`.
    /// `section` is the daemon's own section (`gateway`, `worker`, `scheduler`), nil for clients.
    public static func overrides(from parsed: ParsedCommand, section: String? = nil) -> [String: String] {
        var out: [String: String] = [:]
        var map = [(redis, "redis.url"), (namespace, "redis.namespace"), (logLevel, "log.level"), (gateway, "client.gateway"),
                   (tokenFile, "http.token-file")]
        if let section { map += [(listen, "\(section).listen"), (id, "\(section).id")] }
        for (option, key) in map where parsed.declares(option) {
            if let v = parsed.value(option) { out[key] = v }
        }
        return out
    }
}
