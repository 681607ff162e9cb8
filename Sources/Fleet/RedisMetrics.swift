import BatchCore
import Daemon
import Redis

/// The metric families of a daemon's Redis calls, fed by the client's call observer.
struct RedisMetrics: Sendable {
    let durations: Histogram
    let errors: [String: Counter]

    init(_ registry: MetricsRegistry) {
        durations = registry.histogram("batch_redis_command_duration_seconds",
                                       help: "Duration of this daemon's calls to Redis (a command, a pipeline, a script or a transaction), failed ones included.",
                                       buckets: Histogram.latencyBuckets).labels([])
        let family = registry.counter("batch_redis_errors_total", help: "Calls to Redis that failed, by kind of failure.",
                                      labels: ["kind"])
        // Every kind is looked up once here, so a call only touches atomics.
        var errors: [String: Counter] = [:]
        for kind in RedisError.kinds { errors[kind] = family.labels(kind) }
        self.errors = errors
    }

    var observe: RedisCallObserver {
        let durations = durations, errors = errors
        return { duration, error in
            durations.observe(duration.inSeconds)
            if let error { errors[error.kind]?.inc() }
        }
    }
}
