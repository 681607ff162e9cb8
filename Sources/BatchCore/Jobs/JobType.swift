import Platform
/// How a job type runs.
public enum JobKind: String, Sendable, Codable, CaseIterable {
    /// A program and its arguments, run directly (never through a shell).
    case command
    /// A request to another service's HTTP endpoint.
    case http
    /// Code inside the worker, for tests and smoke checks.
    case builtin
}

/// The builtins a worker provides.
public enum BuiltinJob: String, Sendable, Codable, CaseIterable {
    /// Succeeds at once.
    case noop
    /// Sleeps `seconds` (parameter), then succeeds.
    case sleep
    /// Fails at once (exit code `code`, parameter, default 1).
    case fail
    /// Prints its parameters as output lines, then succeeds.
    case echo
}

/// A job type from a `[job "NAME"]` section: what runs, its parameters, and its retry policy.
/// Workers register it in Redis as JSON; gateways validate requests against it.
public struct JobType: Sendable, Hashable, Codable {
    public var name: String
    public var kind: JobKind
    /// For `command`: argv with `{name}` elements standing for parameters.
    public var argv: [String]
    public var builtin: BuiltinJob?
    public var url: String?
    public var method: String
    public var headers: [String: String]
    public var params: [ParamSpec]
    public var timeoutMs: Int64
    /// The most a request may ask for (`max-timeout`); nil: no more than `timeoutMs`.
    public var maxTimeoutMs: Int64?
    /// Attempts in all, the first included.
    public var maxAttempts: Int
    /// Exit codes that allow another attempt; empty: any failure does (when attempts are left).
    public var retryOnExit: [Int]
    /// First retry delay; it doubles each attempt, with jitter, up to `backoffMaxMs`.
    public var backoffMs: Int64
    public var backoffMaxMs: Int64
    /// Attempts that may run at once across the fleet; 0: no limit.
    public var concurrency: Int
    /// Leases per period across the fleet (`rate`, `rate-burst`); nil: no limit.
    public var rate: JobRate? = nil
    public var workingDirectory: String?
    public var env: [String: String]
    public var description: String?
    /// `unique`: at most one active execution per value of these parameters; nil: no lock.
    public var unique: UniqueSpec?

    public init(name: String, kind: JobKind = .command, argv: [String] = [], builtin: BuiltinJob? = nil,
                url: String? = nil, method: String = "POST", headers: [String: String] = [:],
                params: [ParamSpec] = [], timeout: Duration = .seconds(3600), maxAttempts: Int = 1,
                retryOnExit: [Int] = [], backoff: Duration = .seconds(5), backoffMax: Duration = .seconds(600),
                concurrency: Int = 0, workingDirectory: String? = nil, env: [String: String] = [:],
                description: String? = nil, unique: UniqueSpec? = nil) {
        self.name = name; self.kind = kind; self.argv = argv; self.builtin = builtin
        self.url = url; self.method = method; self.headers = headers; self.params = params
        self.timeoutMs = timeout.inMilliseconds; self.maxAttempts = maxAttempts; self.retryOnExit = retryOnExit
        self.backoffMs = backoff.inMilliseconds; self.backoffMaxMs = backoffMax.inMilliseconds
        self.concurrency = concurrency; self.workingDirectory = workingDirectory; self.env = env
        self.description = description; self.unique = unique
    }

    public var timeout: Duration {
        get { .milliseconds(timeoutMs) }
        set { timeoutMs = newValue.inMilliseconds }
    }

    public var backoff: Duration {
        get { .milliseconds(backoffMs) }
        set { backoffMs = newValue.inMilliseconds }
    }

    public var backoffMax: Duration {
        get { .milliseconds(backoffMaxMs) }
        set { backoffMaxMs = newValue.inMilliseconds }
    }

    /// The longest job type name, in config and in requests alike (names end up in Redis keys and URLs).
    public static let maxNameLength = 128

    /// Whether `name` may name a job type: 1 to `maxNameLength` ASCII letters, digits, '-', '_' and '.'.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= maxNameLength
            && name.utf8.allSatisfy { c in (c >= 0x30 && c <= 0x39) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x7A) || c == 0x2D || c == 0x5F || c == 0x2E }
    }

    /// The environment variable a parameter reaches the child as: `BATCH_PARAM_` and the name
    /// upper-cased, every byte that is not an ASCII letter or digit replaced by `_` (the worker's
    /// `JobEnvironment.parameterVariable` does the same; a test holds them together).
    public static func parameterVariable(_ name: String) -> String {
        var out = "BATCH_PARAM_"
        for unit in name.utf8 {
            switch unit {
            case UInt8(ascii: "a")...UInt8(ascii: "z"): out.unicodeScalars.append(Unicode.Scalar(unit - 32))
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): out.unicodeScalars.append(Unicode.Scalar(unit))
            default: out.append("_")
            }
        }
        return out
    }

    /// The declaration of parameter `name`.
    public func param(_ name: String) -> ParamSpec? { params.first { $0.name == name } }

    /// Whether a failed attempt that exited with `exitCode` (nil: no exit code, e.g. a
    /// signal or a timeout) may be tried again after `attempt` attempts.
    public func allowsRetry(afterAttempt attempt: Int, exitCode: Int?) -> Bool {
        guard attempt < maxAttempts else { return false }
        if retryOnExit.isEmpty { return true }
        guard let exitCode else { return false }
        return retryOnExit.contains(exitCode)
    }

    /// The delay before a retry of the job itself: exponential from `backoff` up to
    /// `backoffMax`, with equal jitter (never less than half the ceiling). Retry n
    /// (0 for the first) waits `retryBackoff.delay(attempt: n, random: &g)`.
    public var retryBackoff: Backoff {
        Backoff(base: backoff, cap: backoffMax, jitter: .equal)
    }
}
