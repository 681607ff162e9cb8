// batch-worker: runs batch jobs dispatched by the gateways. See batch-worker(8).
import Worker

await WorkerDaemon.main()
