import BatchCore
import Dispatch
import FoundationEssentials
import Store

extension WorkerRuntime {
    /// Starts the timer that flushes output every `output-flush`, renews the
    /// leases every `lease-renew`, gives up attempts whose lease can no longer
    /// be trusted, and keeps the job registration alive.
    func startLoop() {
        let every = settings.outputFlush < settings.leaseRenew ? settings.outputFlush : settings.leaseRenew
        let ms = max(10, Int(every.inMilliseconds))
        loop.withLock { $0.running = true }
        scheduleTick(afterMillis: ms)
    }

    private func scheduleTick(afterMillis ms: Int) {
        tickQueue.asyncAfter(deadline: .now() + .milliseconds(ms)) { [self] in
            guard loop.withLock({ $0.running }) else { return }
            tick()
            scheduleTick(afterMillis: ms)
        }
    }

    func stopLoop() {
        loop.withLock { $0.running = false }
    }

    /// One tick, on `tickQueue`: schedules work, never blocks.
    func tick() {
        heartbeat.touch()
        let t = now()
        let attempts = table.withLock { Array($0.attempts.values) }
        for a in attempts {
            for action in a.send({ s in .tick(now: t, outputWaiting: s.output.hasWork) }) {
                switch action {
                case .queueFlush:
                    a.lane.async { self.flush(a) }
                case .stopping(.lost):
                    metrics.leasesLost.labels("abandoned").inc()
                    logger.error("lease not renewed in time: killing the job, writing nothing for the attempt",
                                 ["execution": a.id, "attempt": String(a.number), "lease_ms": String(a.leaseMillis)])
                default:
                    break
                }
            }
        }
        let (renew, register) = loop.withLock { l -> (Bool, Bool) in
            var renew = false, register = false
            if !l.renewing && t >= l.nextRenewal {
                l.renewing = true; renew = true
                l.nextRenewal = t + settings.leaseRenew.inMilliseconds
            }
            if t >= l.nextJobRegistration {
                register = true
                l.nextJobRegistration = t + 5_000
            }
            return (renew, register)
        }
        if renew || register {
            renewQueue.async { [self] in
                if renew { renewLeases(); loop.withLock { $0.renewing = false } }
                if register { registerJobs() }
            }
        }
    }

    /// One renewal call for every attempt that holds a lease (on `renewQueue`).
    func renewLeases() {
        let attempts = table.withLock { Array($0.attempts.values) }.filter { a in
            a.state.withLock { $0.machine.holdsLease }
        }
        if attempts.isEmpty { return }
        // Attempts are renewed for the lease they were dispatched with; usually one group.
        for (lease, group) in Dictionary(grouping: attempts, by: \.leaseMillis) {
            let sentAt = now()
            let statuses: [LeaseStatus]
            do {
                statuses = try store.renew(worker: id, attempts: group.map { ($0.id, $0.number) }, leaseMillis: lease)
            } catch {
                metrics.writeFailures.labels("renew").inc()
                let first = loop.withLock { l in defer { l.renewalFailing = true }; return !l.renewalFailing }
                if first { logger.warning("cannot renew leases", ["attempts": String(group.count), "error": error.description]) }
                continue
            }
            let recovered = loop.withLock { l in defer { l.renewalFailing = false }; return l.renewalFailing }
            if recovered { logger.notice("lease renewal works again") }
            var reaperDeadlines: [(pgid: Int32, deadline: Int64)] = []
            /// Records the renewal, and moves the reaper's deadline of the attempt's process group.
            func renewed(_ a: Attempt) {
                for case .moveReaperDeadline(let deadline) in a.send(.leaseRenewed(sentAt: sentAt)) {
                    if let p = a.state.withLock({ $0.handle }) as? RunningProcess { reaperDeadlines.append((p.pid, deadline)) }
                }
            }
            defer { runner.reaper?.renew(reaperDeadlines) }
            for (a, status) in zip(group, statuses) {
                switch status {
                case .renewed:
                    renewed(a)
                case .cancelling:
                    renewed(a)
                    if a.send(.cancelRequested).contains(.stopping(.cancel)) {
                        logger.info("cancelled by an operator (seen on lease renewal)", ["execution": a.id])
                    }
                case .lost:
                    // A finished attempt's lease is gone by design: the machine loses only a running job.
                    if a.send(.leaseLost).contains(.stopping(.lost)) {
                        metrics.leasesLost.labels("lost").inc()
                        logger.error("lease lost: killing the job, writing nothing for the attempt",
                                     ["execution": a.id, "attempt": String(a.number)])
                    }
                }
            }
        }
    }

    /// Publishes the job types with their parameter schemas (on `renewQueue`).
    /// Re-registering every few seconds also restores them after a Redis restart.
    func registerJobs() {
        if table.withLock({ $0.draining }) { return }
        do {
            try fleet.registerJobs(worker: id, jobs: jobRegistration())
            loop.withLock { $0.registered = true }
        } catch {
            metrics.writeFailures.labels("register").inc()
            logger.debug("cannot register job types", ["error": error.description])
            // Try again soon, not in 5 s: after an outage that let the registration expire,
            // gateways refuse every job type of this worker until it is written again.
            let soon = now() + 500
            loop.withLock { $0.nextJobRegistration = min($0.nextJobRegistration, soon) }
        }
    }
}
