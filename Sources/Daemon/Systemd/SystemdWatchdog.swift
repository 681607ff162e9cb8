/// Sends `WATCHDOG=1` every half of `WATCHDOG_USEC`, but only while `healthy`
/// says so: a daemon that is wedged stops feeding the watchdog and systemd
/// restarts it. Without a watchdog timeout it just waits to be stopped.
public struct SystemdWatchdog: Service {
    public let name = "systemd-watchdog"
    let notifier: SystemdNotifier
    let healthy: @Sendable () async -> Bool
    let logger: Logger
    let sleeper: @Sendable (Duration) async throws -> Void
    let stopSignal = StopSignal()

    /// `sleep` is the clock; tests inject one that does not wait.
    public init(notifier: SystemdNotifier, logger: Logger,
                sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
                healthy: @escaping @Sendable () async -> Bool) {
        self.notifier = notifier
        self.healthy = healthy
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
            let ok = await healthy()
            if ok {
                do {
                    try notifier.watchdog()
                } catch {
                    logger.warning("watchdog notification failed", ["error": "\(error)"])
                }
            }
            if ok != wasHealthy {
                if ok { logger.notice("health check passes again; feeding the systemd watchdog") }
                else { logger.error("health check fails; no longer feeding the systemd watchdog",
                                    ["timeout": "\(notifier.watchdogTimeout!)"]) }
                wasHealthy = ok
            }
            let sleeper = self.sleeper
            if await stopSignal.sleep({ try await sleeper(interval) }) { return }
        }
    }

    public func stop() async { stopSignal.stop() }
}
