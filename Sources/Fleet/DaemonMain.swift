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
    /// What this daemon cannot run with, beyond what every daemon checks: found by
    /// `--check-config`, at start (exit 78) and on reload (the reload is refused).
    public var checkConfiguration: (@Sendable (Configuration) -> [String])?
    /// nil when this daemon can serve, else why not; `/readyz` adds it to Redis' answer.
    public var readiness: (@Sendable () -> String?)?

    public init(role: String, program: String, abstract: String, discussion: String? = nil, defaultListen: HostPort,
                registrationFields: (@Sendable (DaemonContext) -> [String: String])? = nil,
                checkConfiguration: (@Sendable (Configuration) -> [String])? = nil,
                readiness: (@Sendable () -> String?)? = nil) {
        self.role = role; self.program = program; self.abstract = abstract; self.discussion = discussion
        self.defaultListen = defaultListen; self.registrationFields = registrationFields
        self.checkConfiguration = checkConfiguration; self.readiness = readiness
    }

    /// The command line every daemon accepts.
    public var commandSpec: CommandSpec<Never> {
        CommandSpec(name: program, abstract: abstract, discussion: discussion,
                    options: CommonOptions.daemon(section: role, defaultListen: defaultListen)
                        + [CommonOptions.version, CommonOptions.checkConfig])
    }
}

/// The start-up every daemon shares: parse the command line, resolve the
/// configuration (flags over environment over file), connect to Redis, check
/// its settings, serve `/health` and `/metrics`, register and heartbeat, tell
/// systemd, and run the daemon's own services until a signal stops them.
public enum DaemonMain {
    /// Exit status for a configuration that cannot be used (sysexits' EX_CONFIG).
    public static let exitConfig: Int32 = 78

    /// - Parameter onReload: applies a reloaded configuration that passed every check (SIGHUP,
    ///   `systemctl reload`); throwing refuses it. `log.level` and the token file are applied
    ///   for every daemon before it is called.
    public static func run(_ d: DaemonDescription, arguments: [String] = Array(CommandLine.arguments.dropFirst()),
                           services: @escaping @Sendable (DaemonContext) throws -> [any Service],
                           onReload: (@Sendable (DaemonContext, Configuration) throws -> Void)? = nil) async -> Never {
        let parsed = d.commandSpec.parseOrExit(arguments)
        if parsed.flag(CommonOptions.version) {
            ProcessExit.write("\(d.program) \(batchVersion)\n", to: 1)
            ProcessExit.exit(0)
        }
        let config: Configuration
        do {
            config = try resolve(d, parsed)
        } catch {
            ProcessExit.write("\(d.program): \(error)\n", to: 2)
            ProcessExit.exit(exitConfig)
        }
        let (listen, id) = identity(d, config)
        let checkOnly = parsed.flag(CommonOptions.checkConfig)
        let (problems, notes) = StartupCheck.problems(d, config, listen: listen, checkOnly: checkOnly)
        for p in problems { ProcessExit.write("\(d.program): \(p.message)\n", to: 2) }
        if !problems.isEmpty { ProcessExit.exit(problems.contains(where: \.isConfig) ? exitConfig : 1) }
        if checkOnly {
            for n in notes { ProcessExit.write("\(d.program): \(n)\n", to: 2) }
            ProcessExit.write("\(d.program): configuration OK (\(config.files.joined(separator: ", ")))\n", to: 1)
            ProcessExit.exit(0)
        }
        let level = Daemon.LogLevel(name: config.log.level.rawValue) ?? .info
        let baseLogger = Logger(label: d.role, threshold: level, style: config.log.format == .json ? .json : .text)
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
        ProbeRoutes.install(context, ready: d.readiness)
        let own: [any Service]
        do {
            own = try services(context)
        } catch {
            log.error("cannot start", ["error": "\(error)"])
            ProcessExit.exit(1)
        }
        let extra = d.registrationFields
        let probe = SelfProbe(listen: listen)
        let all: [any Service] = [
            RedisReadiness(context: context),
            HTTPService(context: context),
        ] + own + [
            RegistrationService(context: context) { extra?(context) ?? [:] },
            HeapTrimService(metrics: context.metrics),
            SystemdWatchdog(notifier: context.notifier, logger: log, problem: { await RedisReadiness.blocking { probe.check() } }),
        ]
        let drain: Duration = d.role == "worker" ? config.worker.drainTimeout + config.worker.killGrace + .seconds(5) : .seconds(15)
        let reload: @Sendable () async -> Void = {
            await RedisReadiness.blocking { Self.reload(d, arguments: arguments, context: context, onReload: onReload) }
        }
        let group = ServiceGroup(services: all, logger: log, drainDeadline: drain, notifier: context.notifier, onReload: reload)
        await group.runAsMain()
    }

    /// The configuration as the command line, the environment and the files say.
    static func resolve(_ d: DaemonDescription, _ parsed: ParsedCommand) throws(ConfigError) -> Configuration {
        try Configuration.resolve(configPath: parsed.value(CommonOptions.config), environment: ProcessInfo.processInfo.environment,
                                  flags: CommonOptions.overrides(from: parsed, section: d.role), validators: .standard)
    }

    /// The listen address and the configured id of this daemon's role.
    static func identity(_ d: DaemonDescription, _ config: Configuration) -> (HostPort, String?) {
        switch d.role {
        case "gateway": return (config.gateway.listen, config.gateway.id)
        case "worker": return (config.worker.listen, config.worker.id)
        default: return (config.scheduler.listen, config.scheduler.id)
        }
    }

    /// Re-reads the configuration with the same command line and applies it, or refuses it
    /// whole with the reason and keeps running as configured. Settings that only a restart
    /// applies are named in the log when they changed.
    static func reload(_ d: DaemonDescription, arguments: [String], context: DaemonContext,
                       onReload: (@Sendable (DaemonContext, Configuration) throws -> Void)?) {
        let log = context.logger
        let next: Configuration
        do {
            next = try resolve(d, try d.commandSpec.parse(arguments))
        } catch {
            log.error("reload refused: the configuration does not load; running as before", ["error": "\(error)"])
            return
        }
        let (listen, _) = identity(d, next)
        let problems = StartupCheck.problems(d, next, listen: listen, checkOnly: true).problems.map(\.message)
        let old = context.configuration
        let (oldListen, oldID) = identity(d, old)
        let (_, newID) = identity(d, next)
        guard problems.isEmpty else {
            log.error("reload refused; running as before", ["error": problems.joined(separator: "; ")])
            return
        }
        do {
            try context.reloadCommon(next)
            try onReload?(context, next)
        } catch {
            log.error("reload refused; running as before", ["error": "\(error)"])
            return
        }
        var restartOnly: [String] = []
        if next.redis != old.redis { restartOnly.append("[redis]") }
        var http = next.http
        http.tokenFile = old.http.tokenFile
        if http != old.http { restartOnly.append("[http] (but token-file)") }
        if listen != oldListen || newID != oldID { restartOnly.append("\(d.role).listen and id") }
        if d.role == "gateway" && (next.gateway != old.gateway || next.breaker != old.breaker || next.retention != old.retention) {
            restartOnly.append("[gateway], [breaker], [retention]")
        }
        if d.role == "worker" {
            var w = next.worker
            w.jobTypes = old.worker.jobTypes
            if w != old.worker { restartOnly.append("[worker] (but job-types)") }
        }
        log.notice("configuration reloaded", ["files": next.files.joined(separator: ","), "log_level": next.log.level.rawValue])
        if !restartOnly.isEmpty {
            log.warning("changed settings that apply only after a restart", ["settings": restartOnly.joined(separator: "; ")])
        }
    }

    /// A Redis URL without its password, for logs.
    public static func redacted(_ url: String) -> String { Secrets.redactedURL(url) }
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
        var lastReason = ""
        while true {
            let reason: String? = await Self.blocking {
                do { _ = try self.context.redis.send("PING"); return nil } catch { return "\(error)" }
            }
            guard let reason else { break }
            // Said once per reason (a refused password is not a Redis still starting).
            if reason != lastReason {
                context.logger.warning("waiting for Redis", ["redis": DaemonMain.redacted(context.configuration.redis.url), "reason": reason])
                try? context.notifier.status("waiting for Redis at \(DaemonMain.redacted(context.configuration.redis.url)): \(reason)")
                lastReason = reason
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
