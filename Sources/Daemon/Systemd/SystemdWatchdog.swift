/// Sends `WATCHDOG=1` every half of `WATCHDOG_USEC`, but only while the check
/// says the process works: a daemon that is wedged stops feeding the watchdog and
/// systemd restarts it. Without a watchdog timeout it just waits to be stopped.
public struct SystemdWatchdog: Service {
    public let name = "systemd-watchdog"
    let notifier: SystemdNotifier
    /// nil while the process works, else why not.
    let problem: @Sendable () async -> String?
    let logger: Logger
    let sleeper: @Sendable (Duration) async throws -> Void
    let stopSignal = StopSignal()

    /// `sleep` is the clock; tests inject one that does not wait.
    public init(notifier: SystemdNotifier, logger: Logger,
                sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
                healthy: @escaping @Sendable () async -> Bool) {
        self.init(notifier: notifier, logger: logger, sleep: sleep, problem: { await healthy() ? nil : "health check fails" })
    }

    /// `problem` answers nil while the process works, else the reason, which is logged.
    public init(notifier: SystemdNotifier, logger: Logger,
                sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
                problem: @escaping @Sendable () async -> String?) {
        self.notifier = notifier
        self.problem = problem
        self.logger = logger
        self.sleeper = sleep
    }

    public func run() async throws {
        guard notifier.isEnabled, let interval = notifier.watchdogInterval else {
            await stopSignal.wait()
            return
        }
        var wasHealthy = true
        while !stopSignal.isStopped {
            let why = await problem()
            let ok = why == nil
            if ok {
                do {
                    try notifier.watchdog()
                } catch {
                    logger.warning("watchdog notification failed", ["error": "\(error)"])
                }
            }
            if ok != wasHealthy {
                if ok { logger.notice("health check passes again; feeding the systemd watchdog") }
                else { logger.error("this process does not work; no longer feeding the systemd watchdog",
                                    ["reason": why ?? "", "timeout": "\(notifier.watchdogTimeout!)"]) }
                wasHealthy = ok
            }
            let sleeper = self.sleeper
            if await stopSignal.sleep({ try await sleeper(interval) }) { return }
        }
    }

    public func stop() async { stopSignal.stop() }
}
