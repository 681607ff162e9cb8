import BatchCore
import Foundation
import Schedule

/// One turn of the loop as leader: claim due fires, admit them, deliver, and record what came back.
extension SchedulerLoop {
    func turn(_ s: inout LoopState, pool: DeliveryPool) {
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
        // The same request a backfill of this tick sends (`batchctl schedule backfill`).
        let request = st.definition.fireRequest(at: fire.at, zone: st.schedule.plan.zone)
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

    func drainResults(_ s: inout LoopState) {
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
}
