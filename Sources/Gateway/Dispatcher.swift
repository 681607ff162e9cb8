import BatchCore
import Daemon
import Foundation
import HTTP
import Store
import Synchronization

/// Takes executions off the queue only when some worker has a free slot for
/// their job type, chooses a worker (balancer, breakers), and delegates with
/// retry: a failed dispatch moves to another instance at once; when every
/// instance failed, the execution backs off in `delayed`; when they only
/// refused (full), it goes back to the front of its queue uncounted.
final class Dispatcher: Sendable {
    let context: GatewayContext
    let balancer: Mutex<Balancer>
    let stopped = Atomic<Bool>(false)
    /// Dispatcher threads still running; stop waits for them so no claim is left half-done.
    let alive = Atomic<Int>(0)
    let threads: Int

    init(context: GatewayContext) {
        self.context = context
        balancer = Mutex(Balancer(strategy: context.settings.balance))
        threads = context.settings.dispatchers
    }

    func start() {
        for i in 0..<threads {
            alive.add(1, ordering: .relaxed)
            let t = Thread { [self] in
                loop()
                alive.subtract(1, ordering: .releasing)
            }
            t.name = "dispatcher-\(i)"
            t.stackSize = 512 << 10
            t.start()
        }
    }

    /// Stops claiming, and waits (up to `deadline`) for dispatches in flight to be recorded.
    func stop(deadline: Duration = .seconds(10)) {
        stopped.store(true, ordering: .releasing)
        context.wakeup.signal()
        let clock = ContinuousClock()
        let end = clock.now + deadline
        while alive.load(ordering: .acquiring) > 0 && clock.now < end {
            context.wakeup.signal()
            Thread.sleep(forTimeInterval: 0.01)
        }
    }

    private func loop() {
        var generation = context.wakeup.current
        while !stopped.load(ordering: .acquiring) {
            let allowed = context.directory.dispatchable(breakerAllows: context.breakers.wouldPermit)
            var claimed: ClaimedExecution?
            if !allowed.isEmpty {
                do {
                    claimed = try context.store.claim(allowed: allowed, leaseMillis: Int(context.settings.lease.inMilliseconds),
                                                      gateway: context.id)
                } catch {
                    context.logger.warning("claim failed", ["error": "\(error)"])
                    generation = context.wakeup.wait(since: generation, timeout: .seconds(1))
                    continue
                }
            }
            guard let c = claimed else {
                generation = context.wakeup.wait(since: generation, timeout: .milliseconds(250))
                continue
            }
            context.metrics.queueWait.labels(c.job).observe(Double(c.queueWaitMillis) / 1000)
            dispatch(c)
        }
    }

    /// Outcome of one call to one worker.
    enum CallResult {
        case accepted
        /// The worker refused without fault: full (429), draining (503), does not serve it (404),
        /// attempt already there (409).
        case refused(Int)
        /// The worker refused this execution itself (422: its declaration of the job type disagrees):
        /// not the worker's fault, but the dispatch counts as failed, so the execution cannot loop forever.
        case rejected(String)
        /// Connection error, timeout, 5xx: counts against the breaker.
        case failed(String)
    }

    func dispatch(_ c: ClaimedExecution) {
        let log = context.logger.with(["id": c.id, "job": c.job, "attempt": String(c.attempt)])
        var exclude: Set<String> = []
        var failures: [String] = []
        var refusals = 0
        let body: [UInt8]
        do {
            body = Array(try JSONEncoder().encode(WorkerDispatchRequest(
                executionId: c.id, attempt: c.attempt, params: c.params, timeoutSeconds: c.timeoutSeconds,
                leaseMs: Int(context.settings.lease.inMilliseconds))))
        } catch {
            log.error("cannot encode a dispatch", ["error": "\(error)"])
            return
        }
        while !stopped.load(ordering: .acquiring) {
            let candidates = context.directory.candidates(job: c.job, breakerAllows: context.breakers.wouldPermit)
            var rng = SystemRandomNumberGenerator()
            guard let chosen = balancer.withLock({ $0.choose(from: candidates, exclude: exclude, random: &rng) }) else { break }
            exclude.insert(chosen.id)
            guard context.breakers.tryAcquire(chosen.id), let address = context.directory.address(of: chosen.id) else { continue }
            context.directory.noteDispatched(id: c.id, attempt: c.attempt, worker: chosen.id)
            let started = ContinuousClock.now
            let result = call(address: address, job: c.job, body: body)
            let took = ContinuousClock.now - started
            switch result {
            case .accepted:
                context.breakers.success(chosen.id, took)
                context.metrics.dispatches.labels(chosen.id, "accepted").inc()
                log.debug("dispatched", ["worker": chosen.id, "ms": String(took.inMilliseconds)])
                return
            case .refused(let status):
                context.breakers.ignored(chosen.id)
                context.metrics.dispatches.labels(chosen.id, "refused_\(status)").inc()
                context.directory.noteGone(id: c.id, attempt: c.attempt)
                if status == 409 {
                    // That worker already has this attempt (an earlier answer was lost): it runs.
                    context.directory.noteDispatched(id: c.id, attempt: c.attempt, worker: chosen.id)
                    return
                }
                if status == 429 || status == 503 { context.directory.markFull(chosen.id) }
                refusals += 1
            case .rejected(let why):
                context.breakers.ignored(chosen.id)
                context.metrics.dispatches.labels(chosen.id, "rejected").inc()
                context.directory.noteGone(id: c.id, attempt: c.attempt)
                failures.append("\(chosen.id): \(why)")
                log.warning("worker rejected the execution", ["worker": chosen.id, "error": why])
            case .failed(let why):
                context.breakers.failure(chosen.id, took)
                context.metrics.dispatches.labels(chosen.id, "failed").inc()
                context.directory.noteGone(id: c.id, attempt: c.attempt)
                failures.append("\(chosen.id): \(why)")
                log.warning("dispatch failed", ["worker": chosen.id, "error": why])
                // A lost answer may hide a start: if the worker did start it, it runs there.
                if let rec = try? context.store.get(c.id), rec.attempt == c.attempt, rec.state != .dispatched {
                    if rec.state == .running, let w = rec.worker { context.directory.noteDispatched(id: c.id, attempt: c.attempt, worker: w) }
                    return
                }
            }
        }
        do {
            if failures.isEmpty {
                // Nobody could take it now (all full or refusing): back to the front of its queue, uncounted.
                try context.store.requeue(id: c.id, attempt: c.attempt, worker: nil)
                log.debug("no worker could take it; requeued", ["refusals": String(refusals)])
            } else {
                let exhausted = c.dispatchFailures + 1 >= context.settings.dispatchMaxAttempts
                var rng = SystemRandomNumberGenerator()
                let backoff = Backoff(base: context.settings.dispatchBackoff, cap: context.settings.dispatchBackoffMax)
                    .delay(attempt: c.dispatchFailures, random: &rng)
                let st = try context.store.dispatchFailed(id: c.id, attempt: c.attempt, exhausted: exhausted,
                                                          backoffMillis: Int(backoff.inMilliseconds),
                                                          error: failures.joined(separator: "; "))
                log.warning(exhausted ? "dispatch exhausted" : "dispatch failed on every worker; retrying later",
                            ["state": st.rawValue, "backoff_ms": String(backoff.inMilliseconds)])
            }
        } catch {
            // The lease may have moved on (recovered, cancelled): the store refused, nothing to undo.
            log.info("could not record the dispatch outcome", ["error": "\(error)"])
        }
    }

    func call(address: String, job: String, body: [UInt8]) -> CallResult {
        let url = address + "/api/batch/" + job
        var headers: HTTPHeaders = ["Content-Type": "application/json"]
        if let t = context.workerToken { headers.add("Authorization", "Bearer " + t) }
        do {
            let r = try context.client.request("POST", url, headers: headers, body: body, timeout: context.settings.dispatchTimeout)
            switch r.status {
            case 200..<300: return .accepted
            case 404, 409, 429, 503: return .refused(r.status)
            case 422: return .rejected("HTTP 422: \(String(decoding: r.body.prefix(300), as: UTF8.self))")
            case 500...: return .failed("HTTP \(r.status)")
            default: return .failed("HTTP \(r.status): \(String(decoding: r.body.prefix(200), as: UTF8.self))")
            }
        } catch {
            return .failed("\(error)")
        }
    }
}
