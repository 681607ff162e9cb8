import Resilience

// The sections of the three daemons and of what they share: gateway, breaker, retention, worker, scheduler.

// `BalanceStrategy` lives with the balancer (Resilience/Balancer.swift).

/// `[gateway]`
public struct GatewaySettings: ConfigSection, Hashable {
    public var listen = HostPort(host: "127.0.0.1", port: 20200)
    /// nil: `gateway-<host>-<port>`.
    public var id: String?
    /// Queued executions beyond which the gateway answers 429.
    public var queueLimit = 100_000
    public var balance: BalanceStrategy = .p2c
    public var dispatchers = 4
    public var dispatchTimeout: Duration = .seconds(5)
    public var dispatchMaxAttempts = 5
    public var dispatchBackoff: Duration = .milliseconds(200)
    public var dispatchBackoffMax: Duration = .seconds(30)
    /// Longer than the Redis outage it must ride out: a worker gives up an attempt a fifth of
    /// the lease before it ends, so 45 s keeps jobs through an outage of up to 35 s (README).
    public var lease: Duration = .seconds(45)
    /// Longest `?wait=` a client may ask for.
    public var waitMax: Duration = .seconds(300)
    public var idempotencyTTL: Duration = .seconds(24 * 3600)
    /// How far ahead a request may ask to run (`notBefore`, `delay`).
    public var maxDelay: Duration = .seconds(30 * 24 * 3600)
    public var maxParamsBytes = 64 * 1024
    public var recoverInterval: Duration = .seconds(1)
    /// Crashes of a worker's child after which the execution fails as `poison`.
    public var poisonThreshold = 3
    public init() {}

    static let sectionName = "gateway"
    static var keys: [ConfigKey<Self>] {[
        .listenAddress("listen", \.listen),
        .custom("id") { s, v in ConfigCheck.name(v) ?? { s.id = v; return nil }() },
        .int("queue-limit", \.queueLimit, 1...100_000_000),
        .choice("balance", \.balance),
        .int("dispatchers", \.dispatchers, 1...256),
        .duration("dispatch-timeout", \.dispatchTimeout, min: .milliseconds(1)),
        .int("dispatch-max-attempts", \.dispatchMaxAttempts, 1...1000),
        .duration("dispatch-backoff", \.dispatchBackoff, min: .milliseconds(1)),
        .duration("dispatch-backoff-max", \.dispatchBackoffMax, min: .milliseconds(1)),
        .duration("lease", \.lease, min: .seconds(1)),
        .duration("wait-max", \.waitMax),
        .duration("idempotency-ttl", \.idempotencyTTL, min: .seconds(1)),
        .duration("max-delay", \.maxDelay, min: .seconds(1)),
        .bytes("max-params-bytes", \.maxParamsBytes, 2...(16 << 20)),
        .duration("recover-interval", \.recoverInterval, min: .milliseconds(10)),
        .int("poison-threshold", \.poisonThreshold, 1...1000),
    ]}
    static var aliases: [String: String] {
        ["address": "listen", "bind": "listen", "port": "listen", "strategy": "balance", "load-balancing": "balance",
         "retries": "dispatch-max-attempts", "max-queue": "queue-limit", "lease-ttl": "lease"]
    }
}

/// `[breaker]`: the circuit breaker every gateway keeps per worker (Resilience4j's knobs).
public struct BreakerSettings: ConfigSection, Hashable {
    public enum WindowType: String, Sendable, CaseIterable, Codable {
        /// The last `window-size` calls.
        case count
        /// The calls of the last `window-size` seconds.
        case time
    }
    public var windowType: WindowType = .count
    /// Calls (count window) or seconds (time window).
    public var windowSize = 20
    public var minimumCalls = 5
    /// Percent of failed calls at which the breaker opens.
    public var failureRateThreshold = 50.0
    /// Percent of slow calls at which the breaker opens.
    public var slowCallRateThreshold = 100.0
    public var slowCallDuration: Duration = .seconds(10)
    public var waitInOpen: Duration = .seconds(30)
    public var halfOpenCalls = 3
    /// Move from open to half-open when the wait is over, without waiting for a call.
    public var automaticHalfOpen = true
    public init() {}

    static let sectionName = "breaker"
    static var keys: [ConfigKey<Self>] {[
        .choice("window-type", \.windowType),
        .int("window-size", \.windowSize, 1...100_000),
        .int("minimum-calls", \.minimumCalls, 1...100_000),
        .percent("failure-rate-threshold", \.failureRateThreshold),
        .percent("slow-call-rate-threshold", \.slowCallRateThreshold),
        .duration("slow-call-duration", \.slowCallDuration, min: .milliseconds(1)),
        .duration("wait-in-open", \.waitInOpen, min: .milliseconds(1)),
        .int("half-open-calls", \.halfOpenCalls, 1...10_000),
        .bool("automatic-half-open", \.automaticHalfOpen),
    ]}
    /// The same knobs in the circuit breaker's own terms.
    public var circuitBreakerConfig: CircuitBreakerConfig {
        CircuitBreakerConfig(
            failureRateThreshold: failureRateThreshold,
            slowCallRateThreshold: slowCallRateThreshold,
            slowCallDurationThreshold: slowCallDuration,
            slidingWindowType: windowType == .count ? .countBased : .timeBased,
            slidingWindowSize: windowSize,
            minimumNumberOfCalls: minimumCalls,
            waitDurationInOpenState: waitInOpen,
            permittedNumberOfCallsInHalfOpenState: halfOpenCalls,
            automaticTransitionFromOpenToHalfOpenEnabled: automaticHalfOpen)
    }

    static var aliases: [String: String] {
        ["sliding-window-size": "window-size", "sliding-window-type": "window-type",
         "wait-duration-in-open-state": "wait-in-open", "permitted-calls-in-half-open": "half-open-calls",
         "minimum-number-of-calls": "minimum-calls", "failure-rate": "failure-rate-threshold"]
    }
}

/// `[retention]`: how long finished executions are kept.
public struct RetentionSettings: ConfigSection, Hashable {
    public var count = 100_000
    public var age: Duration = .seconds(7 * 86400)
    /// Per outcome, since the execution ended; nil: `age` (see `age(of:)`).
    public var succeededAge, failedAge, timedOutAge, cancelledAge: Duration?
    /// How often the janitor trims.
    public var interval: Duration = .seconds(60)
    public var eventsMax = 100_000
    /// Output lines kept per execution.
    public var logLines = 1000
    public init() {}

    static let sectionName = "retention"
    static var keys: [ConfigKey<Self>] {[
        .int("count", \.count, 1...100_000_000),
        .duration("age", \.age, min: .seconds(1)),
        .optionalDuration("succeeded-age", \.succeededAge, min: .seconds(1)),
        .optionalDuration("failed-age", \.failedAge, min: .seconds(1)),
        .optionalDuration("timed-out-age", \.timedOutAge, min: .seconds(1)),
        .optionalDuration("cancelled-age", \.cancelledAge, min: .seconds(1)),
        .duration("interval", \.interval, min: .milliseconds(100)),
        .int("events-max", \.eventsMax, 100...100_000_000),
        .int("log-lines", \.logLines, 0...1_000_000),
    ]}
    static var aliases: [String: String] {
        ["max-count": "count", "max-age": "age", "ttl": "age", "success-age": "succeeded-age", "failure-age": "failed-age",
         "timeout-age": "timed-out-age", "canceled-age": "cancelled-age"]
    }
}

/// `[worker]`
public struct WorkerSettings: ConfigSection, Hashable {
    public var listen = HostPort(host: "127.0.0.1", port: 20190)
    /// nil: `worker-<host>-<port>`.
    public var id: String?
    /// Children that may run at once.
    public var slots = 16
    public var drainTimeout: Duration = .seconds(30)
    /// Between SIGTERM and SIGKILL of a child's process group.
    public var killGrace: Duration = .seconds(5)
    /// A folder for full output files; nil: output only goes to Redis.
    public var logDir: String?
    public var outputFlush: Duration = .milliseconds(200)
    public var outputMaxLinesPerSecond = 200
    public var lineMaxBytes = 4096
    public var leaseRenew: Duration = .seconds(1)
    /// Job types served; empty: every job type in the configuration.
    public var jobTypes: [String] = []
    /// Environment variables handed from the worker to its children.
    public var envPassthrough: [String] = ["PATH", "LANG", "LC_ALL", "TZ", "HOME"]
    public init() {}

    static let sectionName = "worker"
    static var keys: [ConfigKey<Self>] {[
        .listenAddress("listen", \.listen),
        .custom("id") { s, v in ConfigCheck.name(v) ?? { s.id = v; return nil }() },
        .int("slots", \.slots, 1...100_000),
        .duration("drain-timeout", \.drainTimeout),
        .duration("kill-grace", \.killGrace),
        .optional("log-dir", \.logDir),
        .duration("output-flush", \.outputFlush, min: .milliseconds(1)),
        .int("output-max-lines-per-second", \.outputMaxLinesPerSecond, 1...1_000_000),
        .bytes("line-max-bytes", \.lineMaxBytes, 64...(1 << 20)),
        .duration("lease-renew", \.leaseRenew, min: .milliseconds(10)),
        .list("job-types", \.jobTypes, check: ConfigCheck.name),
        .list("env-passthrough", \.envPassthrough),
    ]}
    static var aliases: [String: String] {
        ["concurrency": "slots", "max-jobs": "slots", "jobs": "job-types", "env": "env-passthrough",
         "address": "listen", "bind": "listen", "grace": "kill-grace"]
    }
}

/// `[scheduler]`
public struct SchedulerSettings: ConfigSection, Hashable {
    public var listen = HostPort(host: "127.0.0.1", port: 20290)
    /// nil: `scheduler-<host>-<port>`.
    public var id: String?
    public var leaderTTL: Duration = .seconds(10)
    /// Gateways to POST fires to; empty: the live gateways registered in Redis.
    public var gateways: [String] = []
    /// How often the leader looks for due fires.
    public var tick: Duration = .milliseconds(100)
    /// How long a fire that cannot be delivered is retried.
    public var deliveryRetryMax: Duration = .seconds(3600)
    public var fireKeyTTL: Duration = .seconds(7 * 86400)
    public init() {}

    static let sectionName = "scheduler"
    static var keys: [ConfigKey<Self>] {[
        .listenAddress("listen", \.listen),
        .custom("id") { s, v in ConfigCheck.name(v) ?? { s.id = v; return nil }() },
        .duration("leader-ttl", \.leaderTTL, min: .seconds(1)),
        .list("gateways", \.gateways, check: ConfigCheck.httpURL),
        .duration("tick", \.tick, min: .milliseconds(10), max: .seconds(10)),
        .duration("delivery-retry-max", \.deliveryRetryMax),
        .duration("fire-key-ttl", \.fireKeyTTL, min: .seconds(1)),
    ]}
    static var aliases: [String: String] { ["gateway": "gateways", "leader-lease": "leader-ttl", "interval": "tick"] }
}

extension RetentionSettings {
    /// How long an execution that ended in `state` is kept: its outcome's age, else `age`.
    public func age(of state: ExecutionState) -> Duration {
        switch state {
        case .succeeded: succeededAge ?? age
        case .failed: failedAge ?? age
        case .timedOut: timedOutAge ?? age
        case .cancelled: cancelledAge ?? age
        default: age
        }
    }
}
