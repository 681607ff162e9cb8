import Platform
import BatchCore
import Daemon
import Fleet

/// The scheduler as a `Service` of the daemon: starts the loop thread, waits for
/// it, and stops it (resigning the lease) on SIGTERM.
public final class SchedulerService: Service {
    public let name = "scheduler"
    let loop: SchedulerLoop

    /// Builds the service from the daemon's context and the configuration's schedules.
    public init(context: DaemonContext) throws {
        let config = context.configuration
        let compiled = try CompiledSchedule.compile(config.schedules)
        let s = config.scheduler
        let settings = SchedulerLoop.Settings(
            id: context.id, leaderTTLMs: s.leaderTTL.inMilliseconds, tickMs: s.tick.inMilliseconds,
            deliveryRetryMaxMs: s.deliveryRetryMax.inMilliseconds,
            fireKeyTTLSeconds: Int(max(1, s.fireKeyTTL.components.seconds)), gateways: s.gateways)
        loop = SchedulerLoop(settings: settings, schedules: compiled, store: context.schedules, executions: context.executions,
                             fleet: context.fleet, logger: context.logger.with(["service": "scheduler"]),
                             metrics: SchedulerMetrics(context.metrics), delivery: GatewayDelivery(tokenSource: { [context] in context.token }))
        context.liveness.add(loop.heartbeat)
    }

    public func start() async throws { loop.start() }

    public func run() async throws { await loop.waitUntilFinished() }

    public func stop() async {
        loop.stop()
        await loop.waitUntilFinished()
    }

    /// Swaps in the schedules of a re-read configuration; unchanged ones keep their next fire.
    public func reload(_ definitions: [String: ScheduleDefinition]) throws {
        loop.reload(try CompiledSchedule.compile(definitions))
    }

    /// Whether this scheduler holds the lease now.
    public var isLeader: Bool { loop.isLeader }
    public var scheduleCount: Int { loop.count }
}
