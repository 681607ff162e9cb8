import BatchCore
import Daemon
import Foundation
import Platform
import Schedule
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

    struct Inbox {
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
    let inbox = Mutex(Inbox())
    private let wake = DispatchSemaphore(value: 0)
    private let finished = Mutex<[CheckedContinuation<Void, Never>]>([])
    private let done = Atomic<Bool>(false)
    let leading = Atomic<Bool>(false)
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

    func post(_ fire: Fire, _ result: DeliveryResult) {
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

    /// Reads the states of the last executions still watched (a bounded batch).
    func refreshStates(_ s: inout LoopState) {
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
    func publish(_ s: inout LoopState, all: Bool) {
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
