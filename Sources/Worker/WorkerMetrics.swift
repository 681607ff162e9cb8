import Daemon

/// The worker's own metric families (DESIGN.md §10).
struct WorkerMetrics: Sendable {
    let executions: CounterFamily
    let spawnFailures: CounterFamily
    let durations: HistogramFamily
    let outputBytes: CounterFamily
    let droppedLines: CounterFamily
    let dispatches: CounterFamily
    let leasesLost: CounterFamily
    let requeued: CounterFamily
    let writeFailures: CounterFamily
    let logDirFailures: Counter

    init(_ registry: MetricsRegistry) {
        executions = registry.counter("batch_worker_executions_total", help: "Attempts that ended on this worker, by job and outcome.",
                                      labels: ["job", "outcome"])
        spawnFailures = registry.counter("batch_worker_spawn_failures_total", help: "Job programs that could not be started, by job.",
                                         labels: ["job"])
        durations = registry.histogram("batch_worker_run_duration_seconds", help: "Run time of attempts on this worker, by job and outcome.",
                                       labels: ["job", "outcome"])
        outputBytes = registry.counter("batch_worker_output_bytes_total", help: "Bytes job programs printed on stdout and stderr, by job.",
                                       labels: ["job"])
        droppedLines = registry.counter("batch_worker_output_dropped_lines_total",
                                        help: "Output lines not written to the log (over the output rate), by job.", labels: ["job"])
        dispatches = registry.counter("batch_worker_dispatches_total", help: "Dispatch requests by answer status code.",
                                      labels: ["code"])
        leasesLost = registry.counter("batch_worker_leases_lost_total",
                                      help: "Attempts given up because the lease was lost (lost) or could not be renewed in time (abandoned).",
                                      labels: ["reason"])
        requeued = registry.counter("batch_worker_requeued_total", help: "Attempts handed back to the queue when the worker stopped.")
        writeFailures = registry.counter("batch_worker_store_failures_total", help: "Writes to Redis that failed, by operation.",
                                         labels: ["operation"])
        logDirFailures = registry.counter("batch_worker_log_dir_failures_total",
                                          help: "Output files in worker.log-dir that could not be opened or written whole (a full disk).").labels()
    }

    /// Shows the counters of each job type and reason from the start, at 0 (so rates and alerts see a series).
    func prime(jobs: some Sequence<String>) {
        for job in jobs {
            _ = spawnFailures.labels(job)
            _ = outputBytes.labels(job)
            _ = droppedLines.labels(job)
        }
        for reason in ["lost", "abandoned", "earlier_run"] { _ = leasesLost.labels(reason) }
        for operation in ["register", "renew", "report", "finish", "requeue"] { _ = writeFailures.labels(operation) }
    }
}
