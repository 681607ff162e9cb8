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
        }, onReload: { _, config in
            guard let service = current.withLock({ $0 }) else { return }
            try service.reload(config.schedules)
        })
    }
}
