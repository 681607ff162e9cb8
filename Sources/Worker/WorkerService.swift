import Daemon
import Fleet

/// The worker as a service of its daemon: starts the lease and output loop,
/// and on stop drains (see `WorkerRuntime.drain`).
public final class WorkerService: Service {
    public let name = "worker"
    public let runtime: WorkerRuntime
    let stopSignal = StopSignal()

    public init(runtime: WorkerRuntime) { self.runtime = runtime }

    public func start() async throws {
        let r = runtime
        await WorkerRuntime.offPool {
            r.releaseEarlierRun()
            r.registerJobs()
        }
        runtime.startLoop()
    }

    public func run() async throws { await stopSignal.wait() }

    public func stop() async {
        await runtime.drain()
        stopSignal.stop()
    }
}
