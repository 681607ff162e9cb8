import BatchCore
import Daemon
import FleetAPI
import Foundation
import Platform
import HTTP
import Resilience
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
        context.wakeup.signalAll()
        let clock = ContinuousClock()
        let end = clock.now + deadline
        while alive.load(ordering: .acquiring) > 0 && clock.now < end {
            context.wakeup.signalAll()
            Thread.sleep(forTimeInterval: 0.01)
        }
    }

    private func loop() {
        while !stopped.load(ordering: .acquiring) {
            let allowed = context.directory.dispatchable(breakerAllows: context.breakers.wouldPermit)
            // Slots taken for this claim, so that the dispatchers together never claim more than the workers can take.
            let reserved = allowed.isEmpty ? 0 : context.directory.reserve(max: Self.maxBatch) { [breakers = context.breakers] w in
                guard breakers.wouldPermit(w) else { return .refusing }
                return breakers.isHalfOpen(w) ? .halfOpen : .closed
            }
            var claimed: [ClaimedExecution] = []
            var queueEmpty = false
            var rateWait: Int64?
            if reserved > 0 {
                do {
                    let round = try context.store.claimRound(allowed: allowed, rates: context.directory.rates, max: reserved,
                                                             leaseMillis: Int(context.settings.lease.inMilliseconds), gateway: context.id)
                    claimed = round.claimed
                    queueEmpty = round.queueEmpty
                    rateWait = round.rateWaitMillis
                    context.wakeup.claimed(queueEmpty: round.queueEmpty)
                } catch {
                    context.directory.unreserve(reserved)
                    context.logger.repeated(.warning, "claim failed", ["error": "\(error)"])
                    context.wakeup.wait(timeout: .seconds(1))
                    continue
                }
            }
            if claimed.isEmpty {
                context.directory.unreserve(reserved)
                context.wakeup.wait(timeout: queueEmpty ? Self.idleLook : rateWait.map(Self.rateLook) ?? .milliseconds(250))
                continue
            }
            // A full claim may have left more behind: let another dispatcher look while this one delivers.
            if claimed.count == reserved { context.wakeup.signal() }
            var waits: [String: Histogram] = [:]
            for c in claimed {
                let m = waits[c.job] ?? context.metrics.queueWait.labels(c.job)
                waits[c.job] = m
                m.observe(Double(c.queueWaitMillis) / 1000)
            }
            dispatch(claimed, reserved: reserved)
            // Claim again at once while work may be left; after a claim that emptied the queues, wait to be told.
            if queueEmpty { context.wakeup.wait(timeout: Self.idleLook) }
        }
    }

    /// After a claim that found the queues empty, a dispatcher looks again when told (something
    /// queued; a slot freed while work waits) or after this long: a safety net for an event the
    /// watcher did not see, not the way work is found. Four dispatchers looking every 250 ms were
    /// 16 claim calls a second on an idle system, each one in the way of a real execution's steps.
    static let idleLook: Duration = .seconds(2)

    /// After a claim that left work queued for want of a rate token due in `ms`: look again when it
    /// comes (no event announces a token), but at least every `idleLook` (the rate may change).
    static func rateLook(_ ms: Int64) -> Duration { .milliseconds(min(max(ms, 1), idleLook.inMilliseconds)) }

    /// Most executions claimed, and sent to one worker, in one call.
    static let maxBatch = 64

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

        /// What a worker's answer to one dispatch means.
        init(status: Int, detail: @autoclosure () -> String) {
            switch status {
            case 200..<300: self = .accepted
            case 404, 409, 429, 503: self = .refused(status)
            case 422: self = .rejected("HTTP 422: \(detail().prefix(300))")
            case 500...: self = .failed("HTTP \(status)")
            default: self = .failed("HTTP \(status): \(detail().prefix(200))")
            }
        }
    }

    /// One claimed execution on its way to a worker, with the instances it failed on.
    struct Pending {
        /// Its place in the claim (the queue's order).
        let order: Int
        let claimed: ClaimedExecution
        let item: WorkerDispatchItem
        var exclude: Set<String> = []
        var failures: [String] = []
        var refusals = 0
        /// Delivered to a worker (or found running): nothing more to do.
        var done = false
    }

    /// Delegates claimed executions: each round chooses a worker for every execution not yet
    /// delivered (the balancer sees the round's earlier choices), sends each worker its share in one
    /// call, and moves what failed or was refused to another instance in the next round. What no
    /// instance took goes back to its queue (refused only) or backs off (failed).
    func dispatch(_ claimed: [ClaimedExecution], reserved: Int) {
        let lease = Int(context.settings.lease.inMilliseconds)
        var pending = claimed.enumerated().map { i, c in
            Pending(order: i, claimed: c, item: WorkerDispatchItem(jobType: c.job, WorkerDispatchRequest(
                executionId: c.id, attempt: c.attempt, params: c.params, timeoutSeconds: c.timeoutSeconds, leaseMs: lease)))
        }
        var leftover: [Pending] = []
        var reservation = reserved
        var rng = FastRandom.split()
        while !pending.isEmpty && !stopped.load(ordering: .acquiring) {
            // Choose: each choice counts as outstanding before the next one.
            var allows: [String: Bool] = [:], halfOpen: Set<String> = []
            for w in context.directory.workerIDs {
                allows[w] = context.breakers.wouldPermit(w)
                if allows[w]! && context.breakers.isHalfOpen(w) { halfOpen.insert(w) }
            }
            let chosen = balancer.withLock { b in
                context.directory.assign(pending.map { ($0.claimed.id, $0.claimed.attempt, $0.claimed.job, $0.exclude) },
                                         allows: allows, halfOpen: halfOpen) { candidates, exclude in
                    b.choose(from: candidates, exclude: exclude, random: &rng)
                }
            }
            var shares: [String: [Pending]] = [:]
            for (var p, worker) in zip(pending, chosen) {
                guard let worker else {
                    leftover.append(p)
                    continue
                }
                p.exclude.insert(worker)
                shares[worker, default: []].append(p)
            }
            if reservation > 0 {
                // The choices now count as outstanding: the claim's reservation has done its work.
                context.directory.unreserve(reservation)
                reservation = 0
            }
            var next: [Pending] = []
            for (worker, share) in shares.sorted(by: { $0.key < $1.key }) {
                for part in Self.parts(of: share) {
                    for p in deliver(part, to: worker) where !p.done { next.append(p) }
                }
            }
            pending = next
        }
        if reservation > 0 { context.directory.unreserve(reservation) }
        // Each goes back to the front of its queue: the last claimed first, so the queue keeps its order.
        for p in (leftover + pending).sorted(by: { $0.order > $1.order }) { settle(p) }
    }

    /// The most body bytes one call carries: well under a worker's `http.max-body` (1 MiB by default),
    /// whatever the executions' parameters weigh (up to `gateway.max-params-bytes` each).
    static let maxCallBytes = 256 << 10

    /// A share cut into calls of at most `maxCallBytes` (by a bound on each item's encoded size).
    static func parts(of share: [Pending]) -> [[Pending]] {
        var out: [[Pending]] = [], part: [Pending] = [], bytes = 0
        for p in share {
            // Keys and values, each possibly escaped to 6 bytes a byte, plus the item's fixed fields.
            let size = 256 + p.item.jobType.utf8.count + p.item.params.reduce(0) { $0 + 6 * ($1.key.utf8.count + $1.value.utf8.count) + 6 }
            if !part.isEmpty && bytes + size > maxCallBytes {
                out.append(part)
                part = []
                bytes = 0
            }
            part.append(p)
            bytes += size
        }
        if !part.isEmpty { out.append(part) }
        return out
    }

    /// Sends `share` to `worker` in one call; returns the share with each execution's outcome noted.
    private func deliver(_ share: [Pending], to worker: String) -> [Pending] {
        var share = share
        guard context.breakers.tryAcquire(worker), let address = context.directory.address(of: worker) else {
            for p in share { context.directory.noteGone(id: p.claimed.id, attempt: p.claimed.attempt) }
            return share
        }
        let started = ContinuousClock.now
        let answers = call(address: address, items: share.map(\.item))
        let took = ContinuousClock.now - started
        context.metrics.dispatchDuration.labels(worker).observe(took.inSeconds)
        let results: [CallResult]
        switch answers {
        case .success(let r): results = r
        case .failure(let failure):
            let why = failure.description
            context.breakers.failure(worker, took)
            context.metrics.dispatches.labels(worker, "failed").add(Double(share.count))
            context.logger.warning("dispatch failed", ["worker": worker, "executions": String(share.count), "error": why])
            _ = context.directory.noteGone(share.map { ($0.claimed.id, $0.claimed.attempt) })
            // A lost answer may hide starts: what the worker did start runs there (read in one round trip).
            let records = (try? context.store.getMany(share.map(\.claimed.id))) ?? Array(repeating: nil, count: share.count)
            for (i, rec) in zip(share.indices, records) {
                let c = share[i].claimed
                share[i].failures.append("\(worker): \(why)")
                if let rec, rec.attempt == c.attempt, rec.state != .dispatched {
                    if rec.state == .running, let w = rec.worker { context.directory.noteDispatched(id: c.id, attempt: c.attempt, worker: w) }
                    share[i].done = true
                }
            }
            return share
        }
        // For its breaker the call counts as one single call would: failed when the worker failed an
        // execution (a 5xx), a success when it took or judged one, ignored when it only refused
        // (full, draining, not serving).
        if results.contains(where: { if case .failed = $0 { return true } else { return false } }) {
            context.breakers.failure(worker, took)
        } else if results.contains(where: { if case .refused = $0 { return false } else { return true } }) {
            context.breakers.success(worker, took)
        } else {
            context.breakers.ignored(worker)
        }
        var accepted = 0
        defer { if accepted > 0 { context.metrics.dispatches.labels(worker, "accepted").add(Double(accepted)) } }
        for (i, result) in zip(share.indices, results) {
            let c = share[i].claimed
            switch result {
            case .accepted:
                accepted += 1
                share[i].done = true
            case .refused(let status):
                context.metrics.dispatches.labels(worker, "refused_\(status)").inc()
                context.directory.noteGone(id: c.id, attempt: c.attempt)
                if status == 409 {
                    // That worker already has this attempt (an earlier answer was lost): it runs.
                    context.directory.noteDispatched(id: c.id, attempt: c.attempt, worker: worker)
                    share[i].done = true
                    continue
                }
                // Full, draining, or not serving the job type after all: none of its slots until one of
                // its attempts ends or its next heartbeat.
                if status == 404 || status == 429 || status == 503 { context.directory.markFull(worker) }
                share[i].refusals += 1
            case .rejected(let why):
                context.metrics.dispatches.labels(worker, "rejected").inc()
                context.directory.noteGone(id: c.id, attempt: c.attempt)
                share[i].failures.append("\(worker): \(why)")
                context.logger.warning("worker rejected the execution", ["worker": worker, "execution": c.id, "job": c.job, "error": why])
            case .failed(let why):
                // The worker answered for the call but failed this one execution (an error inside it).
                context.metrics.dispatches.labels(worker, "failed").inc()
                context.directory.noteGone(id: c.id, attempt: c.attempt)
                share[i].failures.append("\(worker): \(why)")
                context.logger.warning("dispatch failed", ["worker": worker, "execution": c.id, "job": c.job, "error": why])
            }
        }
        if context.logger.isEnabled(.debug) {
            context.logger.debug("dispatched", ["worker": worker, "execution": share.map(\.claimed.id).joined(separator: ","),
                                                "ms": String(took.inMilliseconds)])
        }
        return share
    }

    /// What no instance took: back to the front of its queue when they only refused, else a backoff.
    private func settle(_ p: Pending) {
        let c = p.claimed
        let log = context.logger.with(["execution": c.id, "job": c.job, "attempt": String(c.attempt)])
        do {
            if p.failures.isEmpty {
                // Nobody could take it now (all full or refusing): back to the front of its queue, uncounted.
                try context.store.requeue(id: c.id, attempt: c.attempt, worker: nil)
                log.debug("no worker could take it; requeued", ["refusals": String(p.refusals)])
            } else {
                let exhausted = c.dispatchFailures + 1 >= context.settings.dispatchMaxAttempts
                var rng = SystemRandomNumberGenerator()
                let backoff = Backoff(base: context.settings.dispatchBackoff, cap: context.settings.dispatchBackoffMax)
                    .delay(attempt: c.dispatchFailures, random: &rng)
                let st = try context.store.dispatchFailed(id: c.id, attempt: c.attempt, exhausted: exhausted,
                                                          backoffMillis: Int(backoff.inMilliseconds),
                                                          error: p.failures.joined(separator: "; "))
                log.warning(exhausted ? "dispatch exhausted" : "dispatch failed on every worker; retrying later",
                            ["state": st.rawValue, "backoff_ms": String(backoff.inMilliseconds)])
            }
        } catch {
            // The lease may have moved on (recovered, cancelled): the store refused, nothing to undo.
            log.info("could not record the dispatch outcome", ["error": "\(error)"])
        }
    }

    /// One `POST /api/batch` to a worker: an outcome per item, in order, or why the call as a whole failed
    /// (connection error, timeout, 5xx: counts against the breaker). A worker without that endpoint (404,
    /// 405) is not a batch-worker of this release and fails the call: there is no single-dispatch
    /// fallback (README, "Dispatches travel in batches").
    func call(address: String, items: [WorkerDispatchItem]) -> Result<[CallResult], CallFailure> {
        do {
            let r = try context.worker.dispatch(WorkerDispatchBatch(dispatches: items).json, to: address,
                                                timeout: context.settings.dispatchTimeout)
            switch r.status {
            case 200..<300:
                let answer = try WorkerDispatchBatchResponse(json: r.body)
                    ?? JSONDecoder().decode(WorkerDispatchBatchResponse.self, from: Data(r.body))
                guard answer.results.count == items.count else {
                    return .failure(CallFailure("the worker answered \(answer.results.count) results for \(items.count) dispatches"))
                }
                return .success(answer.results.map { CallResult(status: $0.status, detail: $0.detail ?? "") })
            case 404, 405:
                return .failure(CallFailure("the worker at \(address) answered \(WorkerAPI.dispatchBatch) with \(r.status); "
                                            + "it is not a batch-worker of this release"))
            default:
                switch CallResult(status: r.status, detail: String(decoding: r.body, as: UTF8.self)) {
                case .failed(let why): return .failure(CallFailure(why))
                // The whole call refused (draining, full): each item as refused.
                case let one: return .success(Array(repeating: one, count: items.count))
                }
            }
        } catch {
            return .failure(CallFailure("\(error)"))
        }
    }

    struct CallFailure: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }
}
