import BatchCore
import Fleet
import FleetAPI
import Synchronization

/// `batch-worker`: runs jobs as child processes, builtins or HTTP calls.
public enum WorkerDaemon {
    public static let abstract = "Run batch jobs dispatched by the gateways: programs, HTTP calls and builtins."
    public static let discussion = """
        Serves \(WorkerAPI.all.map(\.description).joined(separator: ", ")), \
        \(DaemonAPI.health.pattern) and \(DaemonAPI.metrics.pattern). \
        Job types come from the [job "NAME"] sections; see batch-worker(8) and batch.conf(5).
        """

    /// Parses the command line, reads the configuration and runs until SIGTERM or SIGINT.
    public static func main(arguments: [String] = Array(CommandLine.arguments.dropFirst())) async -> Never {
        let holder = Mutex<WorkerRuntime?>(nil)
        let box = RuntimeBox(holder: holder)
        let description = DaemonDescription(
            role: "worker", program: "batch-worker", abstract: abstract, discussion: discussion,
            defaultListen: WorkerSettings().listen,
            registrationFields: { _ in box.runtime?.registrationFields() ?? [:] },
            checkConfiguration: { WorkerRuntime.setupProblems($0) },
            readiness: {
                guard let runtime = box.runtime else { return "starting" }
                return runtime.readiness()
            })
        await DaemonMain.run(description, arguments: arguments, services: { context in
            let logger = context.logger
            // Started with the worker: it enforces each child's lease from outside this process.
            let reaper = try LeaseReaper(warn: { logger.error($0) })
            let runtime = try WorkerRuntime(id: context.id, configuration: context.configuration, store: context.executions,
                                            fleet: context.fleet, logger: context.logger, metrics: context.metrics, reaper: reaper,
                                            releasesEarlierRun: true)
            WorkerRoutes.install(runtime, on: context.router)
            box.set(runtime)
            context.liveness.add(runtime.heartbeat)
            return [WorkerService(runtime: runtime)]
        }, onReload: { _, config in
            try box.runtime?.reload(config)
        })
    }
}

/// Hands the runtime, made once the configuration is read, to the registration fields.
private final class RuntimeBox: Sendable {
    let holder: Mutex<WorkerRuntime?>
    init(holder: consuming Mutex<WorkerRuntime?>) { self.holder = holder }
    var runtime: WorkerRuntime? { holder.withLock { $0 } }
    func set(_ r: WorkerRuntime) { holder.withLock { $0 = r } }
}
