// batch-worker: runs batch jobs dispatched by the gateways. See batch-worker(8).
import Worker

// The same binary, started by a worker as its lease reaper (see batch-worker(8)).
LeaseReaper.runIfAsked(Array(CommandLine.arguments.dropFirst()))

await WorkerDaemon.main()
