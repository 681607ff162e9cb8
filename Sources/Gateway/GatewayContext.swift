import BatchCore
import Daemon
import Fleet
import FleetAPI
import Foundation
import HTTP
import Store

/// The gateway's metrics (DESIGN.md §10).
struct GatewayMetrics: Sendable {
    let accepted: CounterFamily
    let refused: CounterFamily
    let outcomes: CounterFamily
    let queueWait: HistogramFamily
    let dispatches: CounterFamily
    let dispatchDuration: HistogramFamily
    let lastSuccess: GaugeFamily
    let lastFailure: GaugeFamily
    let recovered: CounterFamily
    let promoted: CounterFamily

    init(_ m: MetricsRegistry) {
        accepted = m.counter("batch_executions_accepted_total", help: "Executions admitted, by job type.", labels: ["job"])
        refused = m.counter("batch_executions_refused_total", help: "Execute requests refused, by reason.", labels: ["reason"])
        outcomes = m.counter("batch_executions_total", help: "Executions this gateway dispatched that ended, by job type and outcome.", labels: ["job", "outcome"])
        queueWait = m.histogram("batch_queue_wait_seconds", help: "Time from queued to dispatched, by job type.", labels: ["job"])
        dispatches = m.counter("batch_dispatch_attempts_total", help: "Executions offered to workers, by worker and result.", labels: ["worker", "result"])
        dispatchDuration = m.histogram("batch_dispatch_duration_seconds", help: "Duration of dispatch calls to workers (one call carries one or more executions), by worker.",
                                       labels: ["worker"], buckets: Histogram.latencyBuckets)
        lastSuccess = m.gauge("batch_job_last_success_timestamp_seconds", help: "When an execution of the job type last succeeded (Unix time), from the events stream.",
                              labels: ["job"])
        lastFailure = m.gauge("batch_job_last_failure_timestamp_seconds", help: "When an execution of the job type last failed or timed out (Unix time), from the events stream.",
                              labels: ["job"])
        recovered = m.counter("batch_leases_recovered_total", help: "Expired leases recovered, by new state.", labels: ["state"])
        promoted = m.counter("batch_executions_promoted_total",
                             help: "Executions this gateway queued when they came due: scheduled ones at their time, retries after their backoff.")
        // Known label values from the start, at 0, so rates and alerts see a series.
        for state in ["retrying", "failed", "cancelled"] { _ = recovered.labels(state) }
        for reason in ["bad_request", "unknown_job", "bad_params", "bad_limits", "bad_timing", "queue_full"] { _ = refused.labels(reason) }
    }
}

/// What the gateway's parts share.
final class GatewayContext: Sendable {
    let daemon: DaemonContext
    let settings: GatewaySettings
    let store: ExecutionStore
    let directory: WorkerDirectory
    let breakers: BreakerBoard
    let wakeup = Wakeup()
    /// Rung when something may have come due sooner than the promoter waits for: a scheduled
    /// execution or a retry, read from the events stream (made here or by another gateway).
    let dueBell = Bell()
    let client: HTTPClient
    /// Dispatches and cancels to workers, through `client` (keep-alive) with `workerToken`.
    let worker: WorkerAPI.Client
    let metrics: GatewayMetrics
    let waiters = Waiters()
    /// The token the gateway presents to workers: the same file, when configured (re-read on reload).
    var workerToken: String? { daemon.token }

    var id: String { daemon.id }
    var logger: Logger { daemon.logger }

    init(daemon: DaemonContext) {
        self.daemon = daemon
        settings = daemon.configuration.gateway
        store = daemon.executions
        directory = WorkerDirectory(fleet: daemon.fleet)
        breakers = BreakerBoard(config: daemon.configuration.breaker.circuitBreakerConfig, logger: daemon.logger, metrics: daemon.metrics)
        client = HTTPClient(connectTimeout: .seconds(1), requestTimeout: daemon.configuration.gateway.dispatchTimeout, maxIdlePerHost: 32)
        worker = WorkerAPI.Client(http: client, token: { [daemon] in daemon.token })
        metrics = GatewayMetrics(daemon.metrics)
    }
}
