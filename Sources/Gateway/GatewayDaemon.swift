import BatchCore
import Daemon
import Fleet
import Foundation
import HTTP
import Store

/// `batch-gateway`: admits executions, queues them in Redis, dispatches them
/// to workers through circuit breakers and retries, and recovers what workers
/// lose.
public enum GatewayDaemon {
    public static let description = DaemonDescription(
        role: "gateway", program: "batch-gateway",
        abstract: "Admit, queue and dispatch batch executions.",
        discussion: "Validates execution requests against the job types live workers declare, queues them durably in Redis, hands each to a healthy worker (balancing, circuit breakers, retries), and recovers executions whose worker was lost. See batch-gateway(8).",
        defaultListen: HostPort(host: "127.0.0.1", port: 20200),
        registrationFields: { _ in [:] })

    public static func main() async -> Never {
        await DaemonMain.run(description) { daemon in
            let context = GatewayContext(daemon: daemon)
            API(context: context).install(on: daemon.router)
            return [GatewayService(context: context)]
        } onReload: { _, _ in
            // Job types come from the workers' registrations; the gateway takes log.level
            // and the token file from a reload (applied by DaemonMain for every daemon).
        }
    }
}

/// The gateway's own threads as one service: the worker list first, then the
/// event watcher, the dispatchers, the maintenance loop and the promoter.
final class GatewayService: Service {
    let name = "gateway"
    let context: GatewayContext
    let dispatcher: Dispatcher
    let events: EventWatcher
    let maintenance: Maintenance
    let promoter: Promoter
    let stopSignal = StopSignal()

    init(context: GatewayContext) {
        self.context = context
        dispatcher = Dispatcher(context: context)
        events = EventWatcher(context: context)
        maintenance = Maintenance(context: context)
        promoter = Promoter(context: context)
    }

    func start() async throws {
        let m = maintenance
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread { m.refreshWorkers(); c.resume() }
        }
        events.start()
        dispatcher.start()
        maintenance.start()
        promoter.start()
        context.logger.info("dispatching", ["dispatchers": String(context.settings.dispatchers), "balance": context.settings.balance.rawValue,
                                            "workers": String(context.directory.workerCount)])
    }

    func run() async throws { await stopSignal.wait() }

    func stop() async {
        let d = dispatcher
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread { d.stop(); c.resume() }
        }
        maintenance.stop()
        promoter.stop()
        events.stop()
        stopSignal.stop()
    }
}
