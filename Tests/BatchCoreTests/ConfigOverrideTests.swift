import Testing
@testable import BatchCore

struct ConfigOverrideTests {
    @Test func environmentVariablesMapToSettings() {
        let env = ["BATCH_REDIS_URL": "redis://r:1/0", "BATCH_NAMESPACE": "ci", "BATCH_LOG_LEVEL": "debug",
                   "BATCH_TOKEN_FILE": "/t", "BATCH_GATEWAY_URL": "http://g:1", "BATCH_LOG_FORMAT": "",
                   "PATH": "/bin"]
        #expect(Configuration.environmentOverrides(env) == [
            "redis.url": "redis://r:1/0", "redis.namespace": "ci", "log.level": "debug",
            "http.token-file": "/t", "client.gateway": "http://g:1",
        ])
    }

    @Test func overridesSetTypedValues() throws {
        var config = Configuration()
        try config.apply(overrides: ["redis.url": "redis://h:7/1", "gateway.listen": ":9", "log.level": "warning",
                                     "worker.slots": "4", "breaker.wait-in-open": "1m"])
        #expect(config.redis.url == "redis://h:7/1")
        #expect(config.gateway.listen == HostPort(host: "0.0.0.0", port: 9))
        #expect(config.log.level == .warning)
        #expect(config.worker.slots == 4)
        #expect(config.breaker.waitInOpen == .seconds(60))
    }

    @Test func badOverridesAreAllReportedAndChangeNothing() {
        var config = Configuration()
        do {
            try config.apply(overrides: ["redis.ulr": "x", "worker.slots": "many", "redis.namespace": "ok"], source: "environment")
            Issue.record("bad overrides were accepted")
        } catch {
            #expect(error.diagnostics.map(\.description) == [
                "environment: unknown setting \"redis.ulr\" (did you mean \"redis.url\"?)",
                "environment: invalid worker.slots: expected a whole number, found \"many\"",
            ])
        }
        #expect(config.redis.namespace == "default")
    }

    @Test func flagsBeatEnvironmentWhichBeatsTheFile() throws {
        let config = try Configuration.resolve(
            configPath: shippedConfig,
            environment: ["BATCH_NAMESPACE": "from-env", "BATCH_LOG_LEVEL": "debug"],
            flags: ["redis.namespace": "from-flag"])
        #expect(config.redis.namespace == "from-flag")
        #expect(config.log.level == .debug)
        #expect(config.jobs["report"] != nil)
    }

    @Test func configPathComesFromTheEnvironmentWhenNoFlagGivesIt() throws {
        let config = try Configuration.resolve(configPath: nil, environment: ["BATCH_CONFIG": shippedConfig], flags: [:])
        #expect(config.files.first == shippedConfig)
        #expect(throws: ConfigError.self) {
            try Configuration.resolve(configPath: nil, environment: ["BATCH_CONFIG": "/nonexistent.conf"], flags: [:])
        }
    }

    @Test func everySingletonKeyCanBeOverridden() {
        let keys = Configuration.overridableKeys
        #expect(keys.contains("redis.url"))
        #expect(keys.contains("scheduler.fire-key-ttl"))
        #expect(keys.count == Set(keys).count)
    }

    @Test func breakerSettingsBecomeTheBreakersConfig() throws {
        var config = Configuration()
        #expect(config.breaker.circuitBreakerConfig.validationProblems() == [])
        try config.apply(overrides: ["breaker.window-type": "time", "breaker.window-size": "60", "breaker.half-open-calls": "2"])
        let c = config.breaker.circuitBreakerConfig
        #expect(c.slidingWindowType == .timeBased)
        #expect(c.slidingWindowSize == 60)
        #expect(c.permittedNumberOfCallsInHalfOpenState == 2)
        #expect(throws: ConfigError.self) { try config.apply(overrides: ["breaker.window-size": "90000"]) }
    }
}
