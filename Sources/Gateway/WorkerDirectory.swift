import BatchCore
import Foundation
import Resilience
import Store
import Synchronization

/// What a worker's circuit breaker lets through now, for counting its free slots.
enum BreakerVerdict: Sendable {
    case closed
    /// Probe calls only, one execution each.
    case halfOpen
    case refusing
}

/// A live worker as the gateway sees it.
struct WorkerEntry: Sendable {
    var id: String
    var address: String
    var slots: Int
    /// Running attempts as the worker last reported them.
    var reportedRunning: Int
    /// What this gateway had outstanding there when that report was read: the rest of the
    /// report is other gateways' work.
    var ownAtReport = 0
    var heartbeat: Int64
    var jobs: [String: JobType]
}

/// The live workers and the job types they serve, refreshed from Redis, plus
/// what this gateway dispatched to each (outstanding), so free slots are known
/// between heartbeats. Thread-safe.
final class WorkerDirectory: Sendable {
    struct State {
        var workers: [String: WorkerEntry] = [:]
        /// execution id → (worker, attempt), for what this gateway dispatched and has not seen end.
        var inFlight: [String: (worker: String, attempt: Int)] = [:]
        var outstanding: [String: Int] = [:]
        /// Workers that answered 429 (or 503, 404): no slot of theirs is offered until one of this
        /// gateway's attempts there ends or their next heartbeat (the heartbeat it had then).
        var full: [String: Int64] = [:]
        /// Slots the dispatchers took for claims whose executions have no worker chosen yet.
        var reserved = 0
        var refreshedAt: ContinuousClock.Instant?
        /// Job types whose dispatch an operator paused (`jobs-paused`): never offered to a claim.
        var paused: Set<String> = []
    }

    let state = Mutex(State())
    /// Every served job type as the worker of smallest id declares it (so every gateway
    /// validates alike), apart from `state`: validation on the event loops does not wait
    /// behind the dispatchers.
    let types = Mutex<[String: JobType]>([:])
    /// Job type declarations as published (JSON text) and as decoded, from the last refresh.
    let declarations = Mutex<[String: JobType]>([:])
    /// The rate of each served job type that has one, as `types` declares it: made on each
    /// refresh, read on every claim.
    private let rateTable = Mutex<[String: JobRate]>([:])
    let fleet: FleetRegistry

    init(fleet: FleetRegistry) { self.fleet = fleet }

    /// Reads the live workers and their job types from Redis.
    func refresh() throws {
        let (_, daemons) = try fleet.live(within: .seconds(5))
        let workers = daemons.filter { $0.role == "worker" && !$0.address.isEmpty && $0[.draining] != "1" }
        let jobs = try fleet.jobs(of: workers.map(\.id))
        let decoder = JSONDecoder()
        var entries: [String: WorkerEntry] = [:]
        var decoded: [String: JobType] = [:]
        let known = declarations.withLock { $0 }
        for w in workers {
            var types: [String: JobType] = [:]
            for (name, json) in jobs[w.id] ?? [:] {
                // Declarations rarely change: each text is decoded once.
                guard let t = decoded[json] ?? known[json] ?? (try? decoder.decode(JobType.self, from: Data(json.utf8))) else { continue }
                decoded[json] = t
                types[name] = t
            }
            if types.isEmpty { continue }
            entries[w.id] = WorkerEntry(id: w.id, address: w.address, slots: Int(w[.slots] ?? "") ?? 0,
                                        reportedRunning: Int(w[.running] ?? "") ?? 0, heartbeat: w.heartbeat, jobs: types)
        }
        var served: [String: JobType] = [:]
        for w in entries.values.sorted(by: { $0.id > $1.id }) { served.merge(w.jobs) { _, smaller in smaller } }
        state.withLock { s in
            for (id, hb) in s.full where entries[id]?.heartbeat != hb { s.full[id] = nil }
            for id in entries.keys {
                // What this gateway had there when the report was read: taken at the first refresh
                // that sees this heartbeat, kept while the same heartbeat is read again.
                if let old = s.workers[id], old.heartbeat == entries[id]!.heartbeat {
                    entries[id]!.ownAtReport = old.ownAtReport
                } else {
                    entries[id]!.ownAtReport = s.outstanding[id] ?? 0
                }
            }
            s.workers = entries
            s.refreshedAt = .now
        }
        serve(served)
        declarations.withLock { $0 = decoded }
    }

    /// The job types served now, as validation reads them, and their rates, as claims send them.
    func serve(_ served: [String: JobType]) {
        types.withLock { $0 = served }
        rateTable.withLock { $0 = served.compactMapValues(\.rate) }
    }

    /// The job type as some live worker declares it (for validation).
    func jobType(_ name: String) -> JobType? { types.withLock { $0[name] } }

    var knownJobTypes: [String] { types.withLock { $0.keys.sorted() } }

    /// The rate of each served job type that has one, as `jobType` declares it.
    var rates: [String: JobRate] { rateTable.withLock { $0 } }

    /// The job types an operator paused (`jobs-paused`), as read last. - Returns: whether any
    /// was resumed (its queued work may go now).
    func setPaused(_ jobs: Set<String>) -> Bool {
        state.withLock { s in
            defer { s.paused = jobs }
            return !s.paused.subtracting(jobs).isEmpty
        }
    }

    var workerCount: Int { state.withLock { $0.workers.count } }

    func address(of worker: String) -> String? { state.withLock { $0.workers[worker]?.address } }

    /// Load of a worker: what this gateway has outstanding there now, plus what other gateways had
    /// there at its last report (the report less what was this gateway's then). Taking the report
    /// itself would hold up to a heartbeat's worth of this gateway's ended work as busy slots.
    private static func load(_ w: WorkerEntry, _ s: State) -> Int {
        let own = s.outstanding[w.id] ?? 0
        return own + max(0, w.reportedRunning - w.ownAtReport)
    }

    /// Job types that workers with a free slot serve, with their fleet-wide concurrency limit;
    /// paused ones left out, so their executions stay queued.
    func dispatchable(breakerAllows: (String) -> Bool) -> [String: Int] {
        state.withLock { s in
            var out: [String: Int] = [:]
            for w in s.workers.values where s.full[w.id] == nil && w.slots > Self.load(w, s) && breakerAllows(w.id) {
                for (name, t) in w.jobs where !s.paused.contains(name) { out[name] = t.concurrency }
            }
            return out
        }
    }

    /// Takes up to `max` of the free slots of the workers a call may reach now (breaker closed; one
    /// slot of a half-open one, which takes one execution per probe) for a claim, 0 when none is free;
    /// `unreserve` gives them back once the claimed executions count as outstanding.
    func reserve(max: Int, breaker: (String) -> BreakerVerdict = { _ in .closed }) -> Int {
        state.withLock { s in
            var free = 0
            for w in s.workers.values where s.full[w.id] == nil {
                let slots = Swift.max(0, w.slots - Self.load(w, s))
                switch breaker(w.id) {
                case .closed: free += slots
                case .halfOpen: free += Swift.min(1, slots)
                case .refusing: break
                }
            }
            let n = Swift.max(0, Swift.min(max, free - s.reserved))
            s.reserved += n
            return n
        }
    }

    func unreserve(_ n: Int) {
        state.withLock { s in s.reserved = Swift.max(0, s.reserved - n) }
    }

    /// Chooses a worker for each execution in one go: `choose` sees the candidates for the
    /// execution's job type (the earlier choices counted as outstanding) and its exclusions;
    /// each choice is noted as dispatched. `allows` is each worker's breaker verdict.
    func assign(_ executions: [(id: String, attempt: Int, job: String, exclude: Set<String>)], allows: [String: Bool],
                halfOpen: Set<String>, choose: ([WorkerCandidate], Set<String>) -> WorkerCandidate?) -> [String?] {
        state.withLock { s in
            var used: Set<String> = []
            return executions.map { e in
                let candidates = s.workers.values.compactMap { w -> WorkerCandidate? in
                    // A half-open breaker's probe call carries one execution.
                    if halfOpen.contains(w.id) && used.contains(w.id) { return nil }
                    let load = Self.load(w, s)
                    let free = s.full[w.id] != nil ? 0 : max(0, w.slots - load)
                    return WorkerCandidate(id: w.id, outstanding: load, freeSlots: free, servesJob: w.jobs[e.job] != nil,
                                           breakerAllows: allows[w.id] ?? false)
                }
                guard let chosen = choose(candidates, e.exclude) else { return nil }
                used.insert(chosen.id)
                Self.dispatched(&s, id: e.id, attempt: e.attempt, worker: chosen.id)
                return chosen.id
            }
        }
    }

    var workerIDs: [String] { state.withLock { Array($0.workers.keys) } }

    func noteDispatched(id: String, attempt: Int, worker: String) {
        state.withLock { s in Self.dispatched(&s, id: id, attempt: attempt, worker: worker) }
    }

    private static func dispatched(_ s: inout State, id: String, attempt: Int, worker: String) {
        if let old = s.inFlight[id] { release(&s, old.worker) }
        s.inFlight[id] = (worker, attempt)
        s.outstanding[worker, default: 0] += 1
    }

    /// `noteGone` for many, under one lock; the workers they left (nil where nothing was in flight).
    /// - Parameter ended: the attempts ended there (read off the stream), so a slot there is free:
    ///   a worker that refused as full is offered again.
    func noteGone(_ attempts: [(id: String, attempt: Int?)], ended: Bool = false) -> [String?] {
        state.withLock { s in attempts.map { Self.gone(&s, id: $0.id, attempt: $0.attempt, ended: ended) } }
    }


    /// The attempt left its worker (ended, went back to the queue, or the dispatch failed).
    /// An event about an earlier attempt (read late from the stream) changes nothing.
    @discardableResult
    func noteGone(id: String, attempt: Int? = nil) -> String? {
        state.withLock { s in Self.gone(&s, id: id, attempt: attempt, ended: false) }
    }

    private static func gone(_ s: inout State, id: String, attempt: Int?, ended: Bool) -> String? {
        guard let f = s.inFlight[id] else { return nil }
        if let a = attempt, a < f.attempt { return nil }
        s.inFlight[id] = nil
        release(&s, f.worker)
        if ended { s.full[f.worker] = nil }
        return f.worker
    }

    private static func release(_ s: inout State, _ worker: String) {
        s.outstanding[worker, default: 1] -= 1
        if s.outstanding[worker]! <= 0 { s.outstanding[worker] = nil }
    }

    func markFull(_ worker: String) {
        state.withLock { s in s.full[worker] = s.workers[worker]?.heartbeat ?? 0 }
    }

    /// Per-worker view for metrics: (id, reported running, outstanding here, slots).
    func loads() -> [(String, Int, Int, Int)] {
        state.withLock { s in s.workers.values.map { ($0.id, $0.reportedRunning, s.outstanding[$0.id] ?? 0, $0.slots) } }
    }
}
