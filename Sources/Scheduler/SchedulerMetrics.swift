import Daemon

/// The scheduler's metrics in `/metrics` (DESIGN.md §10).
struct SchedulerMetrics: Sendable {
    let fires: CounterFamily
    let misfires: CounterFamily
    let skipped: CounterFamily
    let lateness: HistogramFamily
    let deliveryFailures: CounterFamily
    let claimsLost: CounterFamily
    let leader: GaugeFamily
    let schedules: GaugeFamily
    let pending: GaugeFamily
    let lastSuccess: GaugeFamily
    let lastFailure: GaugeFamily

    /// Fine buckets at the low end: lateness is meant to stay well under 20 ms.
    static let latenessBuckets: [Double] = [0.001, 0.002, 0.005, 0.01, 0.015, 0.02, 0.03, 0.05, 0.1, 0.25, 0.5,
                                            1, 2.5, 5, 10, 30, 60, 300, 3600]

    init(_ r: MetricsRegistry) {
        fires = r.counter("batch_scheduler_fires_total", help: "Fires delivered to a gateway, by schedule.", labels: ["schedule"])
        misfires = r.counter("batch_scheduler_misfires_total", help: "Fires dropped by the misfire rule or given up, by schedule.",
                             labels: ["schedule"])
        skipped = r.counter("batch_scheduler_skipped_total", help: "Fires skipped by the overlap policy, by schedule.",
                            labels: ["schedule"])
        lateness = r.histogram("batch_scheduler_fire_lateness_seconds",
                               help: "Time from a fire's instant (Redis time) to its first delivery attempt.",
                               buckets: Self.latenessBuckets)
        deliveryFailures = r.counter("batch_scheduler_delivery_failures_total",
                                     help: "Delivery attempts no gateway took (unavailable) or a gateway refused (rejected).",
                                     labels: ["result"])
        claimsLost = r.counter("batch_scheduler_claims_lost_total", help: "Fires another scheduler had claimed already.")
        leader = r.gauge("batch_scheduler_leader", help: "1 while this scheduler holds the leadership lease.")
        schedules = r.gauge("batch_scheduler_schedules", help: "Schedules configured.")
        pending = r.gauge("batch_scheduler_pending_fires", help: "Fires claimed and not yet delivered.")
        lastSuccess = r.gauge("batch_schedule_last_success_timestamp_seconds",
                              help: "When the last execution of a schedule's fires that succeeded finished (Unix time), as the leading scheduler saw it.",
                              labels: ["schedule"])
        lastFailure = r.gauge("batch_schedule_last_failure_timestamp_seconds",
                              help: "When the last execution of a schedule's fires that failed or timed out finished (Unix time), as the leading scheduler saw it.",
                              labels: ["schedule"])
    }

    /// Shows each schedule's counters from the start, at 0 (so rates and alerts see a series).
    func prime(_ schedules: [String]) {
        for name in schedules {
            _ = fires.labels(name)
            _ = misfires.labels(name)
            _ = skipped.labels(name)
        }
        for result in ["unavailable", "rejected", "conflict"] { _ = deliveryFailures.labels(result) }
    }
}
