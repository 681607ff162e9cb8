import Platform

extension Configuration {
    /// Environment variables that stand for settings, and the `section.key` each sets.
    public static let environmentKeys: [(variable: String, key: String)] = [
        ("BATCH_REDIS_URL", "redis.url"),
        ("BATCH_NAMESPACE", "redis.namespace"),
        ("BATCH_REDIS_PASSWORD_FILE", "redis.password-file"),
        ("BATCH_LOG_LEVEL", "log.level"),
        ("BATCH_LOG_FORMAT", "log.format"),
        ("BATCH_TOKEN_FILE", "http.token-file"),
        ("BATCH_GATEWAY_URL", "client.gateway"),
    ]

    /// The overrides the environment asks for (`BATCH_REDIS_URL` → `redis.url`, ...); empty values are ignored.
    public static func environmentOverrides(_ env: [String: String]) -> [String: String] {
        var out: [String: String] = [:]
        for (variable, key) in environmentKeys {
            if let v = env[variable], !v.isEmpty { out[key] = v }
        }
        return out
    }

    /// Every `section.key` that `apply(overrides:)` accepts.
    public static var overridableKeys: [String] {
        ConfigSectionTable.all.flatMap { t in t.keyNames.map { "\(t.name).\($0)" } }
    }

    /// Sets `section.key` settings (`redis.url`, `gateway.listen`) with the same checks as the
    /// file. `source` names them in messages (`environment`, `command line`). All problems are
    /// reported at once; on error nothing is changed.
    public mutating func apply(overrides: [String: String], source: String = "command line") throws(ConfigError) {
        var sink = DiagnosticSink()
        var copy = self
        let tables = ConfigSectionTable.all
        for (fullKey, value) in overrides.sorted(by: { $0.key < $1.key }) {
            let parts = fullKey.split(separator: ".", maxSplits: 1).map(String.init)
            guard parts.count == 2, let table = tables.first(where: { $0.name == parts[0] }), table.keyNames.contains(parts[1]) else {
                let hint = Suggestion.closest(to: fullKey, in: Self.overridableKeys).map { " (did you mean \"\($0)\"?)" } ?? ""
                sink.add(source, 0, "unknown setting \"\(fullKey)\"\(hint)")
                continue
            }
            if let problem = table.set(&copy, parts[1], value.trimmingWhitespace()) {
                sink.add(source, 0, "invalid \(fullKey): \(problem)")
            }
        }
        for (_, message) in copy.crossFieldProblems() where !crossFieldProblems().contains(where: { $0.1 == message }) {
            sink.add(source, 0, message)
        }
        try sink.throwIfAny()
        self = copy
    }

    /// What every program does at start: read the file (`configPath`, else `BATCH_CONFIG`,
    /// else the default path, which may be missing), then apply the environment, then the flags.
    public static func resolve(configPath: String?, environment: [String: String], flags: [String: String],
                               validators: ConfigValidators = .init()) throws(ConfigError) -> Configuration {
        let explicit = configPath ?? environment["BATCH_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
        var config = try load(path: explicit, validators: validators)
        try config.apply(overrides: environmentOverrides(environment), source: "environment")
        try config.apply(overrides: flags, source: "command line")
        return config
    }
}
