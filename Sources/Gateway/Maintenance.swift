import BatchCore
import Daemon
import Foundation
import Platform
import Store
import Synchronization

/// The periodic work every gateway does without stepping on the others (each
/// step is one atomic script): refresh the worker list, recover expired leases, publish breakers and apply operator overrides, and
/// trim by retention.
final class Maintenance: Sendable {
    let context: GatewayContext
    let stopped = Atomic<Bool>(false)
    let queueDepth = Atomic<Int>(0)
    let delayedDepth = Atomic<Int>(0)
    let scheduledDepth = Atomic<Int>(0)
    /// Per job type ever seen queued: how many are queued now and since when the oldest is (ms, Redis time).
    let queuedByJob = Mutex<[String: (count: Int, oldestMillis: Int64?)]>([:])

    init(context: GatewayContext) {
        self.context = context
        let m = context.daemon.metrics
        m.gauge("batch_queue_depth", help: "Executions waiting in the queues.") { [self] in Double(self.queueDepth.load(ordering: .relaxed)) }
        m.gauge("batch_retry_waiting", help: "Executions waiting for a retry backoff.") { [self] in Double(self.delayedDepth.load(ordering: .relaxed)) }
        m.gauge("batch_scheduled_waiting", help: "Scheduled executions waiting for their time (notBefore, delay).") { [self] in
            Double(self.scheduledDepth.load(ordering: .relaxed))
        }
        m.gauge("batch_queue_job_depth", help: "Executions waiting in the queues, by job type (counted among the oldest 5000 queued).",
                labels: ["job"]) { [self] in
            self.queuedByJob.withLock { q in q.map { ([$0.key], Double($0.value.count)) } }
        }
        m.gauge("batch_queue_oldest_age_seconds", help: "How long the oldest queued execution of each job type has waited; 0 when none waits.",
                labels: ["job"]) { [self] in
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            return self.queuedByJob.withLock { q in
                q.map { ([$0.key], $0.value.oldestMillis.map { Double(max(0, now - $0)) / 1000 } ?? 0) }
            }
        }
        m.gauge("batch_workers_live", help: "Live workers this gateway can dispatch to.") { [directory = context.directory] in Double(directory.workerCount) }
    }

    func start() {
        let t = Thread { [self] in loop() }
        t.name = "maintenance"
        t.start()
    }

    func stop() { stopped.store(true, ordering: .releasing) }

    /// One round of everything but retention; also used at start so the first
    /// requests see the workers.
    func refreshWorkers() {
        do {
            try context.directory.refresh()
            // Workers that came, or heartbeats that report slots freed by other gateways.
            context.wakeup.capacityFreed()
        } catch {
            context.logger.repeated(.warning, "cannot read the live workers", ["error": "\(error)"])
        }
    }

    private func loop() {
        let s = context.settings
        let retention = context.daemon.configuration.retention
        var lastTrim = ContinuousClock.now - retention.interval
        var lastRecover = ContinuousClock.now - s.recoverInterval
        // Each round calls Redis a few times, each bounded by redis.read-timeout.
        let beat = context.daemon.liveness.register("gateway maintenance loop", within: .seconds(90))
        while !stopped.load(ordering: .acquiring) {
            beat.touch()
            refreshWorkers()
            let now = ContinuousClock.now
            if now - lastRecover >= s.recoverInterval {
                lastRecover = now
                recover()
                publishBreakers()
                // A pause is applied when its event is read (`EventWatcher`); this read catches one missed.
                context.refreshPausedJobs()
            }
            if now - lastTrim >= retention.interval {
                lastTrim = now
                do {
                    var total = 0, byCount = 0
                    while true {
                        let round = try context.store.trim(maxCount: retention.count, ages: RetentionAges(retention))
                        total += round.removed
                        byCount += round.byCount
                        if round.removed < 500 || stopped.load(ordering: .acquiring) { break }
                    }
                    if total > 0 { context.logger.info("retention trimmed executions", ["count": String(total)]) }
                    if byCount > 0 {
                        // Not a silent cap: these went before their outcome's age.
                        context.logger.warning("retention count reached: ended executions removed before their age",
                                               ["count": String(byCount), "retention.count": String(retention.count)])
                    }
                } catch {
                    context.logger.warning("retention trim failed", ["error": "\(error)"])
                }
            }
            Thread.sleep(forTimeInterval: 0.5)
        }
    }

    func recover() {
        let s = context.settings
        do {
            var rng = SystemRandomNumberGenerator()
            let backoff = Backoff(base: s.dispatchBackoff, cap: s.dispatchBackoffMax).delay(attempt: 1, random: &rng)
            let recovered = try context.store.recoverExpired(poisonThreshold: s.poisonThreshold, backoffMillis: Int(backoff.inMilliseconds))
            for (id, st) in recovered {
                context.metrics.recovered.labels(st.rawValue).inc()
                context.logger.warning("lease expired; execution recovered", ["execution": id, "state": st.rawValue])
                context.directory.noteGone(id: id)
            }
            if !recovered.isEmpty { context.wakeup.signal() }
            let depth = try context.store.queueDepth()
            queueDepth.store(depth.queued, ordering: .relaxed)
            delayedDepth.store(depth.delayed, ordering: .relaxed)
            scheduledDepth.store(depth.scheduled, ordering: .relaxed)
            let byJob = try context.store.queuedByJob()
            queuedByJob.withLock { q in
                for job in q.keys { q[job] = (0, nil) }
                for job in context.directory.knownJobTypes { q[job] = (0, nil) }
                for (job, v) in byJob { q[job] = (v.count, v.oldestMillis) }
            }
        } catch {
            context.logger.repeated(.warning, "recovery round failed", ["error": "\(error)"])
        }
    }

    func publishBreakers() {
        do {
            context.breakers.apply(overrides: try context.daemon.fleet.breakerOverrides())
            let workers = Set(context.directory.loads().map(\.0))
            try context.daemon.fleet.publishBreakers(gateway: context.id, states: context.breakers.published(workers: workers))
            context.breakers.prune(keeping: workers)
        } catch {
            context.logger.repeated(.warning, "cannot publish breakers", ["error": "\(error)"])
        }
    }
}
