import BatchCore
import Daemon
import FoundationEssentials
import HTTP
import Platform
import Redis

/// What one daemon adds to the shared start-up: its name, options and services.
public struct DaemonDescription: Sendable {
    /// `gateway`, `worker` or `scheduler`: also its configuration section.
    public var role: String
    /// The program name, `batch-gateway`.
    public var program: String
    public var abstract: String
    public var discussion: String?
    public var defaultListen: HostPort
    /// Extra fields for the registration hash, read every heartbeat.
    public var registrationFields: (@Sendable (DaemonContext) -> [String: String])?

    public init(role: String, program: String, abstract: String, discussion: String? = nil, defaultListen: HostPort,
                registrationFields: (@Sendable (DaemonContext) -> [String: String])? = nil) {
        self.role = role; self.program = program; self.abstract = abstract; self.discussion = discussion
        self.defaultListen = defaultListen; self.registrationFields = registrationFields
    }

    /// The command line every daemon accepts.
    public var commandSpec: CommandSpec {
        CommandSpec(name: program, abstract: abstract, discussion: discussion,
                    options: CommonOptions.daemon(section: role, defaultListen: defaultListen) + [
                        .flag("version", help: "Print the version and exit."),
                        .flag("check-config", help: "Read the configuration, report any problem, and exit."),
                    ])
    }
}

/// The start-up every daemon shares: parse the command line, resolve the
/// configuration (flags over environment over file), connect to Redis, check
/// its settings, serve `/health` and `/metrics`, register and heartbeat, tell
/// systemd, and run the daemon's own services until a signal stops them.
public enum DaemonMain {
    /// Exit status for a configuration that cannot be used (sysexits' EX_CONFIG).
    public static let exitConfig: Int32 = 78

    public static func run(_ d: DaemonDescription, arguments: [String] = Array(CommandLine.arguments.dropFirst()),
                           services: @escaping @Sendable (DaemonContext) throws -> [any Service],
                           onReload: (@Sendable (DaemonContext) async -> Void)? = nil) async -> Never {
        let parsed = d.commandSpec.parseOrExit(arguments)
        if parsed.flag("version") {
            ProcessExit.write("\(d.program) \(batchVersion)\n", to: 1)
            ProcessExit.exit(0)
        }
        let env = ProcessInfo.processInfo.environment
        let config: Configuration
        do {
            config = try Configuration.resolve(configPath: parsed.value("config"), environment: env,
                                               flags: CommonOptions.overrides(from: parsed, section: d.role),
                                               validators: .standard)
        } catch {
            ProcessExit.write("\(d.program): \(error)\n", to: 2)
            ProcessExit.exit(exitConfig)
        }
        if parsed.flag("check-config") {
            do {
                if let w = try DaemonContext.checkTokenFile(config.http.tokenFile) { ProcessExit.write("\(d.program): warning: \(w)\n", to: 2) }
            } catch {
                ProcessExit.write("\(d.program): \(error)\n", to: 2)
                ProcessExit.exit(exitConfig)
            }
            ProcessExit.write("\(d.program): configuration OK (\(config.files.joined(separator: ", ")))\n", to: 1)
            ProcessExit.exit(0)
        }
        let level = Daemon.LogLevel(name: config.log.level.rawValue) ?? .info
        let baseLogger = Logger(label: d.role, threshold: level)
        let listen: HostPort
        let id: String?
        switch d.role {
        case "gateway": listen = config.gateway.listen; id = config.gateway.id
        case "worker": listen = config.worker.listen; id = config.worker.id
        default: listen = config.scheduler.listen; id = config.scheduler.id
        }
        let context: DaemonContext
        do {
            context = try DaemonContext(role: d.role, configuration: config, listen: listen, id: id, logger: baseLogger)
        } catch {
            ProcessExit.write("\(d.program): \(error)\n", to: 2)
            ProcessExit.exit(exitConfig)
        }
        let log = context.logger
        log.notice("starting", ["version": batchVersion, "listen": listen.description, "redis": Self.redacted(config.redis.url),
                                "namespace": config.redis.namespace, "config": config.files.first ?? "(defaults)"])
        HealthRoutes.install(context)
        let own: [any Service]
        do {
            own = try services(context)
        } catch {
            log.error("cannot start", ["error": "\(error)"])
            ProcessExit.exit(1)
        }
        let extra = d.registrationFields
        let all: [any Service] = [
            RedisReadiness(context: context),
            HTTPService(context: context),
        ] + own + [
            RegistrationService(context: context) { extra?(context) ?? [:] },
            SystemdWatchdog(notifier: context.notifier, logger: log, healthy: { await RedisReadiness.blocking { context.redis.ping() } }),
        ]
        let drain: Duration = d.role == "worker" ? config.worker.drainTimeout + config.worker.killGrace + .seconds(5) : .seconds(15)
        var reload: (@Sendable () async -> Void)?
        if let onReload { reload = { await onReload(context) } }
        let group = ServiceGroup(services: all, logger: log, drainDeadline: drain, notifier: context.notifier, onReload: reload)
        await group.runAsMain()
    }

    /// A Redis URL without its password, for logs.
    public static func redacted(_ url: String) -> String {
        guard let at = url.lastIndex(of: "@"), let scheme = url.firstRange(of: "://") else { return url }
        return String(url[..<scheme.upperBound]) + "***" + String(url[at...])
    }
}

/// Waits at start until Redis answers, saying so to systemd and the log, then
/// checks its persistence and eviction settings. Readiness (READY=1) therefore
/// means: listening, and Redis answers.
final class RedisReadiness: Service {
    let name = "redis"
    let context: DaemonContext
    let stopSignal = StopSignal()

    init(context: DaemonContext) { self.context = context }

    func start() async throws {
        var delay: Duration = .milliseconds(100)
        var warned = false
        while true {
            let ok = await Self.blocking { self.context.redis.ping() }
            if ok { break }
            if !warned {
                context.logger.warning("waiting for Redis", ["redis": DaemonMain.redacted(context.configuration.redis.url)])
                try? context.notifier.status("waiting for Redis at \(DaemonMain.redacted(context.configuration.redis.url))")
                warned = true
            }
            if await stopSignal.sleep(for: delay) { throw CancellationError() }
            delay = min(delay * 2, .seconds(2))
        }
        let ctx = context
        try await Self.blocking { try RedisCheck.run(ctx.redis, logger: ctx.logger) }
    }

    func run() async throws { await stopSignal.wait() }
    func stop() async { stopSignal.stop() }

    /// Runs a blocking call on a thread of its own, off the cooperative pool.
    static func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { c in
            startThread(name: "batch-blocking") { c.resume(with: Result { try body() }) }
        }
    }

    static func blocking<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { c in
            startThread(name: "batch-blocking") { c.resume(returning: body()) }
        }
    }
}
