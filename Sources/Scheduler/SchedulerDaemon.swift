import BatchCore
import Daemon
import Fleet
import Foundation
import Synchronization

/// `batch-scheduler`: fires the `[schedule]` sections of the configuration and
/// POSTs each fire to a gateway (DESIGN.md §8).
public enum SchedulerDaemon {
    static let description = DaemonDescription(
        role: "scheduler", program: "batch-scheduler",
        abstract: "Fire the configured schedules and hand each fire to a gateway.",
        discussion: """
        Any number of schedulers may run against one Redis: one leads (a Redis lease) and \
        each fire is claimed once, so every (schedule, fire time) yields one execution. \
        SIGHUP re-reads the configuration; SIGTERM stops after resigning the lease.
        """,
        defaultListen: HostPort(host: "127.0.0.1", port: 20290),
        registrationFields: { _ in
            guard let s = current.withLock({ $0 }) else { return [:] }
            return ["leader": s.isLeader ? "1" : "0", "schedules": "\(s.scheduleCount)"]
        })

    private static let current = Mutex<SchedulerService?>(nil)

    /// Runs the daemon until a signal stops it.
    public static func main(arguments: [String] = Array(CommandLine.arguments.dropFirst())) async -> Never {
        await DaemonMain.run(description, arguments: arguments, services: { context in
            let service = try SchedulerService(context: context)
            current.withLock { $0 = service }
            return [service]
        }, onReload: { context in
            reload(context, arguments: arguments)
        })
    }

    /// Re-reads the configuration with the same command line; a configuration
    /// that does not load keeps the schedules running as they are.
    static func reload(_ context: DaemonContext, arguments: [String]) {
        let log = context.logger
        guard let service = current.withLock({ $0 }) else { return }
        do {
            let parsed = try description.commandSpec.parse(arguments)
            let config = try Configuration.resolve(configPath: parsed.value("config"),
                                                   environment: ProcessInfo.processInfo.environment,
                                                   flags: CommonOptions.overrides(from: parsed, section: "scheduler"),
                                                   validators: .standard)
            try service.reload(config.schedules)
        } catch {
            log.error("reload refused; the schedules run unchanged", ["error": "\(error)"])
        }
    }
}
