import BatchCore
import Daemon
import FoundationEssentials
import Glibc
import HTTP
import Redis
import Store
import Synchronization


/// What a daemon has once its command line and configuration are read: the
/// settings, its identity, a logger, metrics, Redis and the stores, and the
/// router its HTTP endpoint serves. Built by `DaemonMain`; each daemon adds its
/// routes and services to it.
public final class DaemonContext: Sendable {
    /// `gateway`, `worker` or `scheduler`.
    public let role: String
    public let id: String
    public let configuration: Configuration
    public let listen: HostPort
    public let logger: Logger
    public let metrics: MetricsRegistry
    public let redis: RedisClient
    public let namespace: String
    public let executions: ExecutionStore
    public let fleet: FleetRegistry
    public let schedules: ScheduleStore
    public let router: Router
    public let notifier: SystemdNotifier
    /// Wall-clock start time, ms since the epoch.
    public let startedAt: Int64
    /// Bearer token of mutating endpoints, from `http.token-file`; a reload re-reads the file.
    public var token: String? { tokenCell.withLock { $0 } }
    private let tokenCell: Mutex<String?>
    /// The heartbeats of this daemon's loops, for `/livez` and the systemd watchdog.
    public let liveness = Liveness()
    /// The threshold of every logger of this daemon; a reload sets it from `log.level`.
    public let logGate: LogGate

    init(role: String, configuration: Configuration, listen: HostPort, id: String?, logger: Logger) throws {
        self.role = role
        self.configuration = configuration
        self.listen = listen
        let host = ProcessStats.hostname
        self.id = id ?? "\(role)-\(host)-\(listen.port)"
        logGate = LogGate(logger.threshold)
        self.logger = Logger(label: logger.label, threshold: logger.threshold, sink: logger.sink, gate: logGate, style: logger.style)
            .with(["daemon": self.id])
        metrics = MetricsRegistry()
        var options = RedisOptions()
        options.connectTimeout = configuration.redis.connectTimeout
        options.readTimeout = configuration.redis.readTimeout
        options.poolSize = configuration.redis.poolSize
        let redisMetrics = RedisMetrics(metrics)
        redis = RedisClient(url: try RedisURL(parsing: configuration.redis.url, passwordFile: configuration.redis.passwordFile),
                            options: options, observer: redisMetrics.observe)
        namespace = configuration.redis.namespace
        var limits = StoreLimits()
        limits.eventsMax = configuration.retention.eventsMax
        limits.logLines = configuration.retention.logLines
        executions = ExecutionStore(redis: redis, namespace: namespace, limits: limits)
        fleet = FleetRegistry(redis: redis, namespace: namespace, eventsMax: limits.eventsMax)
        schedules = ScheduleStore(redis: redis, namespace: namespace, eventsMax: limits.eventsMax)
        let store = executions
        metrics.counter("batch_store_calls_total", help: "Store operations of the hot path called by this daemon, by operation.",
                        labels: ["operation"]) { store.groupedCalls.map { ([$0.operation], Double($0.calls)) } }
        metrics.counter("batch_store_round_trips_total",
                        help: "Round trips to Redis that carried those operations (concurrent calls share one), by operation.",
                        labels: ["operation"]) { store.groupedCalls.map { ([$0.operation], Double($0.roundTrips)) } }
        let client = redis
        metrics.gauge("batch_redis_up", help: "1 while this daemon's calls find Redis serving, 0 while it is known to be down.") {
            client.health.isDown ? 0 : 1
        }
        metrics.gauge("batch_build_info", help: "Always 1; the version label names the running build.", labels: ["version"]) {
            [([batchVersion], 1)]
        }
        router = Router()
        notifier = (try? SystemdNotifier()) ?? SystemdNotifier(address: nil)
        startedAt = Int64(Date().timeIntervalSince1970 * 1000)
        tokenCell = Mutex(try Self.readToken(configuration.http.tokenFile))
        if let w = Self.tokenFileWarning(configuration.http.tokenFile) { self.logger.warning(w) }
    }

    /// Applies what every daemon takes from a reloaded configuration: `log.level` and the
    /// token file. The file is read first, so a bad one changes nothing.
    public func reloadCommon(_ next: Configuration) throws {
        let t = try Self.readToken(next.http.tokenFile)
        tokenCell.withLock { $0 = t }
        logGate.level = LogLevel(name: next.log.level.rawValue) ?? .info
    }

    /// The address other programs reach this daemon at.
    public var advertisedURL: String {
        let h = listen.host.contains(":") ? "[\(listen.host)]" : listen.host
        let host = (h == "0.0.0.0" || h == "[::]") ? ProcessStats.hostname : h
        return "http://\(host):\(listen.port)"
    }

    static func readToken(_ path: String?) throws -> String? {
        guard let path, !path.isEmpty else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FleetError.config("cannot read the token file \(path) (http.token-file)")
        }
        let text = String(decoding: data, as: UTF8.self)
        let token = text.firstIndex(where: { !$0.isWhitespace }).flatMap { first in
            text.lastIndex(where: { !$0.isWhitespace }).map { last in String(text[first...last]) }
        } ?? ""
        if token.isEmpty { throw FleetError.config("the token file \(path) is empty (http.token-file)") }
        // One line: a second line is a mistake (two tokens, a note) that would otherwise become part of the token.
        if token.contains(where: { $0.isNewline }) {
            throw FleetError.config("the token file \(path) holds more than one line; it must hold the token alone (http.token-file)")
        }
        return token
    }

    /// A warning when the token file can be read by everyone, nil otherwise. Its group may
    /// read it: the units run as user batch and read root:batch 0640 files.
    static func tokenFileWarning(_ path: String?) -> String? {
        guard let path, !path.isEmpty else { return nil }
        var st = stat()
        guard stat(path, &st) == 0, st.st_mode & 0o007 != 0 else { return nil }
        return "the token file \(path) is readable by everyone (mode \(String(st.st_mode & 0o777, radix: 8))); chmod 640 (group batch) or 600 it (http.token-file)"
    }

    /// Reads the token file as a start would, for `--check-config`: the error, or a warning.
    public static func checkTokenFile(_ path: String?) throws -> String? {
        _ = try readToken(path)
        return tokenFileWarning(path)
    }

    /// The HTTP server settings of `[http]`, with this daemon's address and token.
    public var httpConfiguration: HTTPServerConfiguration {
        let h = configuration.http
        var c = HTTPServerConfiguration(host: listen.host, port: Int(listen.port))
        c.maxConnections = h.maxConnections
        c.maxConnectionsPerPeer = h.maxConnectionsPerPeer
        c.maxHeaderBytes = h.maxHeaderBytes
        c.maxBodyBytes = h.maxBody
        c.headerTimeout = h.headerTimeout
        c.bodyTimeout = h.bodyTimeout
        c.idleTimeout = h.idleTimeout
        c.handlerThreads = h.handlerThreads
        if h.eventLoops > 0 { c.eventLoops = h.eventLoops }
        c.bearerToken = token
        c.bearerTokenSource = { [self] in self.token }
        return c
    }
}

/// Errors of daemon start-up.
public enum FleetError: Error, CustomStringConvertible {
    case config(String)
    case redis(String)

    public var description: String {
        switch self {
        case .config(let s): return s
        case .redis(let s): return s
        }
    }
}
