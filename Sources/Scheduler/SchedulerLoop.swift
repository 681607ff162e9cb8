import BatchCore
import Daemon
import Foundation
import Platform
import Store
import Synchronization

/// The scheduler's timing loop on a thread of its own (every call in it blocks):
/// holds or seeks the leadership lease, takes due fires from the planner, claims
/// them in Redis, and hands them to the delivery threads.
final class SchedulerLoop: Sendable {
    struct Settings: Sendable {
        var id: String
        var leaderTTLMs: Int64
        var tickMs: Int64
        var deliveryRetryMaxMs: Int64
        var fireKeyTTLSeconds: Int
        var gateways: [String]
        var deliveryThreads = 16
        var backoff = Backoff(base: .milliseconds(500), cap: .seconds(30), jitter: .full)
    }

    private struct Inbox {
        var results: [(Fire, DeliveryResult)] = []
        var reload: [CompiledSchedule]?
        var stopped = false
    }

    let settings: Settings
    let schedules: ScheduleStore
    let executions: ExecutionStore
    let fleet: FleetRegistry
    let logger: Logger
    let metrics: SchedulerMetrics
    let clock: RedisClock
    let delivery: GatewayDelivery
    private let inbox = Mutex(Inbox())
    private let wake = DispatchSemaphore(value: 0)
    private let finished = Mutex<[CheckedContinuation<Void, Never>]>([])
    private let done = Atomic<Bool>(false)
    private let leading = Atomic<Bool>(false)
    private let scheduleCount = Atomic<Int>(0)
    private let initial: [CompiledSchedule]
    /// Touched every round of the loop (at least once a tick): `/livez` and the systemd watchdog watch it.
    let heartbeat = Heartbeat("scheduler loop", within: .seconds(60))

    init(settings: Settings, schedules: [CompiledSchedule], store: ScheduleStore, executions: ExecutionStore,
         fleet: FleetRegistry, logger: Logger, metrics: SchedulerMetrics, delivery: GatewayDelivery,
         clock: RedisClock = RedisClock()) {
        self.settings = settings
        self.initial = schedules
        self.schedules = store
        self.executions = executions
        self.fleet = fleet
        self.logger = logger
        self.metrics = metrics
        self.delivery = delivery
        self.clock = clock
    }

    var isLeader: Bool { leading.load(ordering: .relaxed) }
    var count: Int { scheduleCount.load(ordering: .relaxed) }

    /// Starts the loop thread.
    func start() {
        let t = Thread { [self] in
            var state = LoopState(settings: settings)
            runLoop(&state)
            let waiters = finished.withLock { w -> [CheckedContinuation<Void, Never>] in
                done.store(true, ordering: .relaxed)
                defer { w = [] }
                return w
            }
            for w in waiters { w.resume() }
        }
        t.name = "scheduler-loop"
        t.start()
    }

    /// Returns when the loop thread has ended (after `stop()`).
    func waitUntilFinished() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let resumeNow = finished.withLock { waiters -> Bool in
                if done.load(ordering: .relaxed) { return true }
                waiters.append(c)
                return false
            }
            if resumeNow { c.resume() }
        }
    }

    func stop() {
        inbox.withLock { $0.stopped = true }
        wake.signal()
    }

    /// Swaps in a new set of schedules at the next turn of the loop.
    func reload(_ compiled: [CompiledSchedule]) {
        inbox.withLock { $0.reload = compiled }
        wake.signal()
    }

    private func post(_ fire: Fire, _ result: DeliveryResult) {
        inbox.withLock { $0.results.append((fire, result)) }
        wake.signal()
    }

    // MARK: The loop

    /// What only the loop thread touches.
    struct LoopState {
        var planner = FirePlanner()
        var leader = false
        var leaseValidUntil: UInt64 = 0
        var nextLeadCheck: UInt64 = 0
        var nextSecond: UInt64 = 0
        var nextGatewayRefresh: UInt64 = 0
        var nextCalibration: UInt64 = 0
        var nextPausedCheck: UInt64 = 0
        /// Fires taken from the planner whose claim did not reach Redis yet.
        var unclaimed: [Fire] = []
        var plannedThrough = Instant(millisecondsSinceEpoch: 0)

        init(settings: Settings) { planner.deliveryRetryMaxMs = settings.deliveryRetryMaxMs }
    }

    static func mono() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    private func runLoop(_ s: inout LoopState) {
        let pool = DeliveryPool(threads: settings.deliveryThreads, name: "scheduler-delivery")
        defer { pool.shutdown() }
        calibrate(&s)
        let now = clock.now()
        s.planner.load(initial, now: now, plannedThrough: now)
        s.plannedThrough = now
        scheduleCount.store(initial.count, ordering: .relaxed)
        metrics.schedules.set(Double(initial.count))
        metrics.prime(initial.map(\.name))
        while true {
            heartbeat.touch()
            let taken = inbox.withLock { box -> (Bool, [CompiledSchedule]?) in
                defer { box.reload = nil }
                return (box.stopped, box.reload)
            }
            if taken.0 { break }
            let m = Self.mono()
            if let compiled = taken.1 { applyReload(compiled, &s) }
            if m >= s.nextCalibration { calibrate(&s) }
            if m >= s.nextLeadCheck { leadership(&s) }
            let leaseOK = s.leader && Self.mono() < s.leaseValidUntil
            if leaseOK {
                if m >= s.nextGatewayRefresh { refreshGateways(&s) }
                turn(&s, pool: pool)
            } else {
                // Results of deliveries started while leading still count.
                drainResults(&s)
            }
            _ = wake.wait(timeout: .now() + .nanoseconds(Int(sleepNanos(&s, leaseOK: leaseOK))))
        }
        let log = logger
        if s.leader {
            publish(&s, all: true)
            do { try schedules.resign(id: settings.id) } catch { log.warning("cannot resign the scheduler lease", ["error": "\(error)"]) }
            leading.store(false, ordering: .relaxed)
            metrics.leader.set(0)
        }
    }

    /// How long to wait: until the earliest fire or retry, at most one tick.
    private func sleepNanos(_ s: inout LoopState, leaseOK: Bool) -> UInt64 {
        let tick = UInt64(settings.tickMs) * 1_000_000
        let m = Self.mono()
        var wait = min(tick, s.nextLeadCheck > m ? s.nextLeadCheck - m : 0)
        if leaseOK {
            if !s.unclaimed.isEmpty { return min(wait, 50_000_000) }
            if let w = s.planner.nextWake() {
                let ms = w.milliseconds(since: clock.now())
                wait = min(wait, ms <= 0 ? 0 : UInt64(ms) * 1_000_000)
            }
        }
        return wait
    }

    private func calibrate(_ s: inout LoopState) {
        do {
            try clock.calibrate { try fleet.redisTime() }
            s.nextCalibration = Self.mono() + 30_000_000_000
        } catch {
            s.nextCalibration = Self.mono() + 1_000_000_000
        }
    }

    private func applyReload(_ compiled: [CompiledSchedule], _ s: inout LoopState) {
        let removed = s.planner.load(compiled, now: clock.now(), plannedThrough: s.plannedThrough)
        scheduleCount.store(compiled.count, ordering: .relaxed)
        metrics.schedules.set(Double(compiled.count))
        metrics.prime(compiled.map(\.name))
        logger.notice("schedules reloaded", ["schedules": "\(compiled.count)", "removed": "\(removed.count)"])
        if s.leader {
            do { try schedules.remove(names: removed) } catch {
                logger.warning("cannot remove statuses of removed schedules", ["error": "\(error)"])
            }
            publish(&s, all: false)
        }
    }

    // MARK: Leadership

    private func leadership(_ s: inout LoopState) {
        let ttl = settings.leaderTTLMs
        let m = Self.mono()
        s.nextLeadCheck = m + UInt64(ttl / 3) * 1_000_000
        let answer: (leader: Bool, holder: String)
        do { answer = try schedules.lead(id: settings.id, ttlMillis: Int(ttl)) } catch {
            logger.repeated(.warning, "cannot renew or take the scheduler lease", ["error": "\(error)"])
            s.nextLeadCheck = m + 500_000_000
            return
        }
        if answer.leader {
            let lapsed = m >= s.leaseValidUntil
            s.leaseValidUntil = m + UInt64(ttl - ttl / 10) * 1_000_000
            if !s.leader || lapsed {
                s.leader = true
                leading.store(true, ordering: .relaxed)
                metrics.leader.set(1)
                logger.notice("leading the schedulers", ["schedules": "\(s.planner.states.count)"])
                takeOver(&s)
            }
        } else if s.leader {
            s.leader = false
            leading.store(false, ordering: .relaxed)
            metrics.leader.set(0)
            logger.warning("lost the scheduler lease", ["leader": answer.holder])
        }
    }

    /// On taking the lead: adopt the published statuses, claim fires missed since
    /// them (or find ones claimed but never delivered), and plan from now.
    private func takeOver(_ s: inout LoopState) {
        let now = clock.now()
        var published: [String: ScheduleStatus] = [:]
        do {
            for (name, json) in try schedules.statuses() {
                if let st = ScheduleStatus(json: json) { published[name] = st }
            }
            let stale = published.keys.filter { s.planner.states[$0] == nil }
            try schedules.remove(names: stale)
        } catch {
            logger.warning("cannot read the published schedule statuses; planning from now", ["error": "\(error)"])
        }
        var candidates: [Fire] = []
        for name in s.planner.names.sorted() {
            let since = s.planner.adopt(published[name], name: name)
            if s.planner.states[name]?.isFixedDelay == true {
                // No grid: the plan itself fires an overdue one now. Only a fire claimed
                // and never delivered is taken over.
                if let status = published[name], status.fingerprint == s.planner.states[name]?.schedule.fingerprint,
                   let p = status.pendingSinceMs {
                    candidates.append(Fire(name: name, at: Instant(millisecondsSinceEpoch: p)))
                }
                continue
            }
            guard let since else { continue }
            candidates += s.planner.missedFires(name: name, since: since, now: now).map { Fire(name: name, at: $0) }
        }
        s.planner.replanAll(after: now)
        s.plannedThrough = now
        refreshStates(&s)
        if !candidates.isEmpty {
            var recovered: [String: [Instant]] = [:]
            let owner = "claimed:" + settings.id
            for chunk in stride(from: 0, to: candidates.count, by: 500).map({ Array(candidates[$0..<min($0 + 500, candidates.count)]) }) {
                do {
                    let won = try schedules.claimFires(chunk.map { ($0.name, $0.at.millisecondsSinceEpoch) }, owner: owner,
                                                       ttlSeconds: settings.fireKeyTTLSeconds)
                    let lost = zip(chunk, won).filter { !$0.1 }.map(\.0)
                    let values = try schedules.fireValues(lost.map { ($0.name, $0.at.millisecondsSinceEpoch) })
                    for (fire, w) in zip(chunk, won) where w { recovered[fire.name, default: []].append(fire.at) }
                    // Claimed by a scheduler that then died or lost the lead before delivering.
                    for (fire, v) in zip(lost, values) where v?.hasPrefix("claimed:") == true {
                        recovered[fire.name, default: []].append(fire.at)
                    }
                } catch {
                    logger.error("cannot claim missed fires on taking the lead", ["error": "\(error)"])
                }
            }
            for (name, fires) in recovered { s.planner.addRecovered(fires, name: name, now: now) }
            let n = recovered.values.reduce(0) { $0 + $1.count }
            if n > 0 { logger.notice("recovered missed or undelivered fires", ["fires": "\(n)"]) }
        }
        s.planner.markAllDirty()
        publish(&s, all: true)
    }

    private func refreshGateways(_ s: inout LoopState) {
        s.nextGatewayRefresh = Self.mono() + 2_000_000_000
        if !settings.gateways.isEmpty { delivery.setGateways(settings.gateways); return }
        do {
            let live = try fleet.live().daemons.filter { $0.role == "gateway" && !$0.address.isEmpty }
            delivery.setGateways(live.sorted { $0.id < $1.id }.map(\.address))
        } catch {
            logger.warning("cannot list live gateways", ["error": "\(error)"])
        }
    }

    // MARK: One turn as leader

    private func turn(_ s: inout LoopState, pool: DeliveryPool) {
        let m = Self.mono()
        if m >= s.nextPausedCheck {
            s.nextPausedCheck = m + UInt64(settings.tickMs) * 1_000_000
            if let paused = try? schedules.paused(), paused != s.planner.operatorPaused {
                let known = Set(s.planner.states.keys)
                for name in paused.subtracting(s.planner.operatorPaused).intersection(known).sorted() {
                    logger.notice("schedule paused by an operator; its fires are passed over", ["schedule": name])
                }
                for name in s.planner.operatorPaused.subtracting(paused).intersection(known).sorted() {
                    logger.notice("schedule resumed by an operator", ["schedule": name])
                }
                s.planner.setOperatorPaused(paused)
            }
        }
        let now = clock.now()
        let due = s.unclaimed + s.planner.popDue(now: now)
        s.unclaimed = []
        s.plannedThrough = max(s.plannedThrough, now)
        if !due.isEmpty { claimAndAdmit(due, &s, pool: pool, now: now) }
        drainResults(&s)
        let ready = s.planner.readyPending(now: now)
        for fire in ready.deliver { submit(fire, cancel: nil, &s, pool: pool) }
        for (fire, outcome) in ready.dropped { drop(fire, outcome: outcome) }
        if Self.mono() >= s.nextSecond {
            s.nextSecond = Self.mono() + 1_000_000_000
            refreshStates(&s)
            publish(&s, all: false)
        }
    }

    private func claimAndAdmit(_ due: [Fire], _ s: inout LoopState, pool: DeliveryPool, now: Instant) {
        let won: [Bool]
        do {
            won = try schedules.claimFires(due.map { ($0.name, $0.at.millisecondsSinceEpoch) }, owner: "claimed:" + settings.id,
                                           ttlSeconds: settings.fireKeyTTLSeconds)
        } catch {
            logger.repeated(.warning, "cannot claim fires; retrying", ["fires": "\(due.count)", "error": "\(error)"])
            s.unclaimed = due
            return
        }
        let mine = zip(due, won).filter { $0.1 }.map(\.0)
        let lost = due.count - mine.count
        if lost > 0 { metrics.claimsLost.labels([]).add(Double(lost)) }
        let check = mine.compactMap { s.planner.overlapCheck($0.name) }
        if !check.isEmpty, let seen = try? executions.states(check) { s.planner.observed(seen, now: now) }
        for fire in mine {
            let previous = s.planner.states[fire.name]?.lastExecution
            let running = s.planner.states[fire.name]?.previousMayRun ?? false
            switch s.planner.admit(fire, previousRunning: running, now: now) {
            case .fire: submit(fire, cancel: nil, &s, pool: pool)
            case .cancelPreviousThenFire: submit(fire, cancel: previous, &s, pool: pool)
            case .queueAfterPrevious:
                logger.info("fire queued behind the running execution", ["fire": fire.description, "previous": previous ?? ""])
            case .skip:
                metrics.skipped.labels(fire.name).inc()
                let outcome = s.planner.states[fire.name]?.lastOutcome ?? "skipped:overlap"
                record(fire, outcome)
                logger.info("fire skipped: the previous execution still runs", ["fire": fire.description, "previous": previous ?? ""])
            }
        }
    }

    /// Hands a fire to a delivery thread; its result comes back through the inbox.
    private func submit(_ fire: Fire, cancel: String?, _ s: inout LoopState, pool: DeliveryPool) {
        guard let st = s.planner.states[fire.name] else { return }
        let d = st.definition
        let zone = st.schedule.plan.zone
        let params = expandScheduleParams(d.params, schedule: d.name, fireTime: fire.at, zone: zone)
        let request = BatchExecutionRequest(
            jobType: d.job, params: params.mapValues { .string($0) }, idempotencyKey: fire.idempotencyKey,
            priority: d.priority, trigger: Trigger(source: "schedule", schedule: d.name, fireTime: fire.at.iso8601(in: zone)))
        let first = s.planner.attempts(fire) == 0
        let (clock, delivery, metrics, log) = (clock, delivery, metrics, logger)
        pool.submit { [self] in
            if let cancel {
                if !delivery.cancel(executionId: cancel) {
                    log.warning("cannot cancel the previous execution (overlap = replace)", ["execution": cancel, "fire": fire.description])
                }
            }
            if first { metrics.lateness.observe(Double(clock.now().milliseconds(since: fire.at)) / 1000) }
            // Bind the fire's key to this request first: the gateway admits the fire's idempotency
            // key only with the fingerprint bound here, so no client can take the fire's place.
            do {
                if try !schedules.bindFire(schedule: fire.name, epochMillis: fire.at.millisecondsSinceEpoch, owner: settings.id,
                                           fingerprint: request.fingerprint) {
                    log.warning("the fire's key expired before delivery (scheduler.fire-key-ttl); a gateway will refuse it unless it ran",
                                ["fire": fire.description])
                }
            } catch {
                post(fire, .unavailable(reason: "cannot bind the fire to its request in Redis: \(error)"))
                return
            }
            let result = delivery.deliver(request)
            post(fire, result)
        }
    }

    private func drainResults(_ s: inout LoopState) {
        let results = inbox.withLock { box -> [(Fire, DeliveryResult)] in
            defer { box.results = [] }
            return box.results
        }
        guard !results.isEmpty else { return }
        let now = clock.now()
        var records: [(schedule: String, epochMillis: Int64, value: String)] = []
        defer {
            do { try schedules.recordFires(records, ttlSeconds: settings.fireKeyTTLSeconds) } catch {
                // The fire keys keep their claim: a new leader redelivers them, and the idempotency key makes that safe.
                logger.warning("cannot record delivered fires", ["fires": "\(records.count)", "error": "\(error)"])
            }
        }
        for (fire, result) in results {
            switch result {
            case .delivered(let id, let state, let gateway):
                records.append((fire.name, fire.at.millisecondsSinceEpoch, id))
                s.planner.delivered(fire, executionId: id, state: state)
                metrics.fires.labels(fire.name).inc()
                logger.debug("fire delivered", ["fire": fire.description, "execution": id, "gateway": gateway])
            case .rejected(let status, let reason) where status == 409 || status == 403:
                // Another request holds the fire's idempotency key, or the gateway did not find the fire
                // bound to this request: someone else wrote to this fire's place. Never quietly.
                records.append((fire.name, fire.at.millisecondsSinceEpoch, "failed:" + reason))
                s.planner.rejected(fire, outcome: "failed:" + reason, now: now)
                metrics.deliveryFailures.labels("conflict").inc()
                logger.error("a gateway refused a fire because its idempotency key is taken or unbound: another process may be posing as a scheduler",
                             ["fire": fire.description, "status": "\(status)", "reason": reason])
            case .rejected(let status, let reason):
                records.append((fire.name, fire.at.millisecondsSinceEpoch, "failed:" + reason))
                s.planner.rejected(fire, outcome: "failed:" + reason, now: now)
                metrics.deliveryFailures.labels("rejected").inc()
                logger.error("gateway refused a fire; it will not be retried (fix the schedule's job or parameters)",
                             ["fire": fire.description, "status": "\(status)", "reason": reason])
            case .unavailable(let reason):
                let attempt = s.planner.attempts(fire)
                var rng = SystemRandomNumberGenerator()
                let delay = settings.backoff.delay(attempt: attempt, random: &rng)
                let ms = max(50, Int64(delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000))
                s.planner.retryLater(fire, now: now, delayMs: ms)
                metrics.deliveryFailures.labels("unavailable").inc()
                if attempt == 0 || attempt % 10 == 0 {
                    logger.warning("no gateway took a fire; keeping it to retry", ["fire": fire.description, "attempt": "\(attempt + 1)",
                                                                                   "retry_in_ms": "\(ms)", "reason": reason])
                }
            }
        }
    }

    private func drop(_ fire: Fire, outcome: String) {
        metrics.misfires.labels(fire.name).inc()
        record(fire, outcome)
        logger.warning(outcome == "missed" ? "fire dropped by the misfire rule" : "fire given up after delivery-retry-max",
                       ["fire": fire.description, "outcome": outcome])
    }

    private func record(_ fire: Fire, _ value: String) {
        do {
            try schedules.recordFire(schedule: fire.name, epochMillis: fire.at.millisecondsSinceEpoch, value: value,
                                     ttlSeconds: settings.fireKeyTTLSeconds)
        } catch {
            logger.warning("cannot record a fire's outcome", ["fire": fire.description, "error": "\(error)"])
        }
    }

    /// Reads the states of the last executions still watched (a bounded batch).
    private func refreshStates(_ s: inout LoopState) {
        let watched = Array(s.planner.watchedExecutions.prefix(2000))
        guard !watched.isEmpty else { return }
        do {
            let seen = try executions.states(watched)
            for e in s.planner.observed(seen, now: clock.now()) where e.state != .cancelled {
                let at = Double(e.finished ?? Int64(Date().timeIntervalSince1970 * 1000)) / 1000
                (e.state == .succeeded ? metrics.lastSuccess : metrics.lastFailure).labels(e.schedule).set(at)
            }
            s.planner.unwatch(watched.filter { seen[$0] == nil })
        } catch {
            logger.repeated(.warning, "cannot read the state of scheduled executions", ["error": "\(error)"])
        }
    }

    /// Publishes the statuses that changed (or all).
    private func publish(_ s: inout LoopState, all: Bool) {
        if all { s.planner.markAllDirty() }
        let names = s.planner.takeDirty()
        metrics.pending.set(Double(s.planner.pendingCount))
        guard !names.isEmpty else { return }
        let now = clock.now()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var out: [String: String] = [:]
        for name in names {
            guard let st = s.planner.status(name, scheduler: settings.id, now: now),
                  let data = try? encoder.encode(st) else { continue }
            out[name] = String(decoding: data, as: UTF8.self)
        }
        do { try schedules.publish(statuses: out) } catch {
            s.planner.markDirty(names)
            logger.repeated(.warning, "cannot publish schedule statuses", ["error": "\(error)"])
        }
    }
}
