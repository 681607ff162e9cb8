import BatchCore
import Schedule

/// The scheduler's decisions, without Redis, sockets or a clock: which fires are
/// due, what the misfire and overlap policies make of them, and each schedule's
/// status. The loop feeds it times and results and carries out what it answers.
struct FirePlanner: Sendable {
    private(set) var states: [String: ScheduleState] = [:]
    private var heap = FireHeap()
    private var generation: UInt64 = 0
    /// Schedules with pending fires: the only ones `readyPending` looks at.
    private var withPending: Set<String> = []
    /// Schedules whose status changed since it was last published.
    private var dirtyNames: Set<String> = []
    /// Executions not known to be over, and their schedule: the only ones
    /// `observed` looks at, so a second's work does not grow with the schedule count.
    private(set) var watching: [String: String] = [:]
    /// Schedules paused by an operator (in Redis).
    private(set) var operatorPaused: Set<String> = []
    /// How long an undeliverable fire is retried before it is given up.
    var deliveryRetryMaxMs: Int64 = 3_600_000
    /// Fires `overlap = queue` keeps per schedule; later ones are skipped.
    var queueLimit = 100

    /// Every configured schedule's names.
    var names: [String] { Array(states.keys) }

    // MARK: Loading

    /// Installs a configuration. A schedule whose fingerprint did not change keeps
    /// its grid, next fire and pending fires; a new or changed one starts its grid
    /// at `now` (rounded up to a whole second) and plans after `plannedThrough`, the
    /// latest time fires were already taken for, so no tick between is lost.
    /// - Returns: the names that were removed.
    @discardableResult
    mutating func load(_ schedules: [CompiledSchedule], now: Instant, plannedThrough: Instant) -> [String] {
        var next: [String: ScheduleState] = [:]
        next.reserveCapacity(schedules.count)
        let anchor = Instant(millisecondsSinceEpoch: (now.millisecondsSinceEpoch + 999) / 1000 * 1000)
        for s in schedules {
            if var old = states[s.name], old.schedule.fingerprint == s.fingerprint {
                if old.schedule.definition != s.definition { dirtyNames.insert(old.name) }
                old.schedule = s
                next[s.name] = old
                continue
            }
            generation += 1
            var st = ScheduleState(schedule: s, generation: generation, anchor: anchor)
            if let old = states[s.name] {
                st.lastFire = old.lastFire; st.lastExecution = old.lastExecution; st.lastOutcome = old.lastOutcome
                st.lastEnd = old.lastEnd; st.misfires = old.misfires; st.pending = old.pending
                st.pausedByOperator = old.pausedByOperator
            }
            next[s.name] = st
            plan(&st, after: plannedThrough)
            next[s.name] = st
        }
        let removed = states.keys.filter { next[$0] == nil }
        states = next
        withPending = Set(states.values.filter { !$0.pending.isEmpty }.map(\.name))
        watching = watching.filter { states[$0.value]?.lastExecution == $0.key }
        return removed
    }

    /// Sets the next fire strictly after `after` and queues it.
    private mutating func plan(_ st: inout ScheduleState, after: Instant) {
        st.next = st.schedule.plan.nextFire(after: after, lastFire: st.isFixedDelay ? st.lastFire : nil,
                                            lastEnd: st.lastEnd, startedAt: st.anchor)
        dirtyNames.insert(st.name)
        if let n = st.next { heap.push(.init(at: n, name: st.name, generation: st.generation)) }
    }

    /// Replans every schedule after `after` (leadership just taken).
    mutating func replanAll(after: Instant) {
        heap.removeAll()
        for name in states.keys {
            replan(name, after: after)
        }
    }

    // MARK: Leadership

    /// Takes over what the previous leader published for a schedule (same
    /// fingerprint only: a changed definition starts afresh). - Returns: the instant
    /// after which fires may have been missed or claimed but not delivered, nil if
    /// none can be.
    mutating func adopt(_ status: ScheduleStatus?, name: String) -> Instant? {
        guard var st = states[name] else { return nil }
        defer { states[name] = st }
        dirtyNames.insert(st.name)
        guard let status, status.fingerprint == st.schedule.fingerprint else { return st.lastFire }
        st.anchor = Instant(millisecondsSinceEpoch: status.anchorMs)
        st.misfires = max(st.misfires, status.misfires)
        if let ms = status.lastFireMs, st.lastFire.map({ $0.millisecondsSinceEpoch < ms }) ?? true {
            st.lastFire = Instant(millisecondsSinceEpoch: ms)
            st.lastExecution = status.lastExecution
            st.lastOutcome = status.lastOutcome
            st.lastEnd = status.lastEndMs.map { Instant(millisecondsSinceEpoch: $0) }
            // An execution over before its end was published: it ended no earlier than its fire.
            if st.isFixedDelay, st.lastEnd == nil, ScheduleState.isFinal(st.lastOutcome) { st.lastEnd = st.lastFire }
            if let id = status.lastExecution, st.previousMayRun { watching[id] = name }
        }
        var since = st.lastFire
        if let p = status.pendingSinceMs { since = min(since ?? .init(millisecondsSinceEpoch: p - 1), .init(millisecondsSinceEpoch: p - 1)) }
        return since
    }

    /// Fires of `name` in `(since, now]`, the latest `limit` of them: the candidates
    /// a new leader claims (or finds claimed but undelivered).
    func missedFires(name: String, since: Instant, now: Instant, limit: Int = 200) -> [Instant] {
        guard let st = states[name] else { return [] }
        return st.schedule.plan.missedFires(after: since, through: now, lastEnd: st.lastEnd, startedAt: st.anchor,
                                            limit: limit)
    }

    // MARK: Due fires

    /// The earliest planned fire or pending retry.
    func nextWake() -> Instant? {
        var t = heap.first?.at
        for name in withPending {
            for p in states[name]?.pending ?? [] where !p.inFlight && !p.queued {
                t = min(t ?? p.notBefore, p.notBefore)
            }
        }
        return t
    }

    /// Takes every fire due at `now` and plans each schedule's next one. Fires of
    /// paused schedules are passed over (not claimed, not delivered).
    mutating func popDue(now: Instant) -> [Fire] {
        var out: [Fire] = []
        while let top = heap.first, top.at <= now {
            _ = heap.pop()
            guard var st = states[top.name], st.generation == top.generation, st.next == top.at else { continue }
            if !st.paused {
                out.append(Fire(name: top.name, at: top.at))
                st.lastFire = max(st.lastFire ?? top.at, top.at)
                if st.isFixedDelay { st.lastEnd = nil }
            }
            plan(&st, after: top.at)
            states[top.name] = st
        }
        return out
    }

    /// Marks operator pauses; a resumed schedule fires from its next instant on.
    mutating func setOperatorPaused(_ paused: Set<String>) {
        guard paused != operatorPaused else { return }
        for name in paused.symmetricDifference(operatorPaused) where states[name] != nil {
            states[name]!.pausedByOperator = paused.contains(name)
            dirtyNames.insert(name)
        }
        operatorPaused = paused
    }

    // MARK: Overlap

    /// What to do with a fire this scheduler claimed, given whether the schedule's
    /// previous execution still runs. `queue` and `skip` record themselves here.
    mutating func admit(_ fire: Fire, previousRunning: Bool, now: Instant) -> OverlapDecision {
        guard var st = states[fire.name] else { return .skip }
        defer { states[fire.name] = st; if !st.pending.isEmpty { withPending.insert(fire.name) } }
        // fixed-delay never overlaps: its next fire waits for the end of the last.
        let queuedAhead = st.pending.contains { $0.queued }
        let running = previousRunning || queuedAhead
        let decision = st.isFixedDelay ? .fire : st.definition.overlap.decide(previousRunning: running)
        switch decision {
        case .fire, .cancelPreviousThenFire:
            st.pending.append(PendingFire(at: fire.at, notBefore: now, inFlight: true))
        case .queueAfterPrevious:
            if st.pending.filter(\.queued).count >= queueLimit {
                st.lastOutcome = "skipped:queue-full"
                dirtyNames.insert(st.name)
                return .skip
            }
            st.pending.append(PendingFire(at: fire.at, notBefore: now, queued: true))
        case .skip:
            st.lastOutcome = "skipped:overlap"
            dirtyNames.insert(st.name)
        }
        return decision
    }

    /// Adds claimed fires found on taking the lead (missed ones and ones another
    /// scheduler claimed but never delivered); `readyPending` applies the misfire rule.
    mutating func addRecovered(_ fires: [Instant], name: String, now: Instant) {
        guard var st = states[name], !fires.isEmpty else { return }
        let known = Set(st.pending.map(\.at))
        for at in fires where !known.contains(at) { st.pending.append(PendingFire(at: at, notBefore: now)) }
        st.pending.sort { $0.at < $1.at }
        dirtyNames.insert(st.name)
        states[name] = st
        withPending.insert(name)
    }

    // MARK: Pending fires

    /// Pending fires to (re)deliver now, and those the misfire rule or the retry
    /// limit drops. A fire's first delivery happens from `admit`; this covers
    /// retries, recovered fires and queued ones whose turn came.
    mutating func readyPending(now: Instant) -> (deliver: [Fire], dropped: [(Fire, String)]) {
        var deliver: [Fire] = []
        var dropped: [(Fire, String)] = []
        for name in withPending {
            guard var st = states[name] else { withPending.remove(name); continue }
            // Undeliverable for too long: given up, never silently.
            st.pending.removeAll { p in
                guard !p.inFlight, now.milliseconds(since: p.at) > deliveryRetryMaxMs else { return false }
                dropped.append((Fire(name: name, at: p.at), "failed:undeliverable"))
                return true
            }
            let waiting = st.pending.filter { !$0.inFlight && !$0.queued }
            if !waiting.isEmpty {
                let d = st.definition.misfire.decide(missed: waiting.map(\.at), now: now,
                                                     graceMilliseconds: st.definition.misfireGraceMs)
                let drop = Set(d.dropped)
                if !drop.isEmpty {
                    st.pending.removeAll { !$0.inFlight && !$0.queued && drop.contains($0.at) }
                    st.misfires += drop.count
                    dropped += drop.sorted().map { (Fire(name: name, at: $0), "missed") }
                    st.lastOutcome = "missed"
                }
                for i in st.pending.indices where !st.pending[i].inFlight && !st.pending[i].queued && st.pending[i].notBefore <= now {
                    st.pending[i].inFlight = true
                    deliver.append(Fire(name: name, at: st.pending[i].at))
                }
            }
            // overlap = queue: one at a time, once the previous execution is over.
            if !st.pending.contains(where: \.inFlight), !st.previousMayRun,
               let i = st.pending.firstIndex(where: \.queued) {
                st.pending[i].queued = false
                st.pending[i].inFlight = true
                deliver.append(Fire(name: name, at: st.pending[i].at))
            }
            if !dropped.isEmpty || !deliver.isEmpty { dirtyNames.insert(st.name) }
            if st.isFixedDelay, dropped.contains(where: { $0.0.name == name }), st.pending.isEmpty, st.next == nil {
                st.lastEnd = now
                states[name] = st
                replan(name, after: now)
                st = states[name]!
            }
            states[name] = st
            if st.pending.isEmpty { withPending.remove(name) }
        }
        return (deliver, dropped)
    }

    /// A fire reached a gateway and became `executionId`.
    mutating func delivered(_ fire: Fire, executionId: String, state: String) {
        guard var st = states[fire.name] else { return }
        st.pending.removeAll { $0.at == fire.at }
        if let old = st.lastExecution { watching[old] = nil }
        st.lastExecution = executionId
        st.lastOutcome = state
        if !ScheduleState.isFinal(state) { watching[executionId] = fire.name }
        dirtyNames.insert(st.name)
        states[fire.name] = st
        if st.pending.isEmpty { withPending.remove(fire.name) }
    }

    /// The gateway refused a fire for good (a 4xx such as bad parameters).
    mutating func rejected(_ fire: Fire, outcome: String, now: Instant) {
        guard var st = states[fire.name] else { return }
        st.pending.removeAll { $0.at == fire.at }
        st.lastOutcome = outcome
        dirtyNames.insert(st.name)
        states[fire.name] = st
        if st.pending.isEmpty { withPending.remove(fire.name) }
        if st.isFixedDelay, st.next == nil {
            states[fire.name]!.lastEnd = now
            replan(fire.name, after: now)
        }
    }

    /// No gateway took the fire: retry after `delay`.
    mutating func retryLater(_ fire: Fire, now: Instant, delayMs: Int64) {
        guard var st = states[fire.name], let i = st.pending.firstIndex(where: { $0.at == fire.at }) else { return }
        st.pending[i].inFlight = false
        st.pending[i].attempts += 1
        st.pending[i].notBefore = now.adding(milliseconds: delayMs)
        dirtyNames.insert(st.name)
        states[fire.name] = st
        withPending.insert(fire.name)
    }

    /// Attempts so far of a pending fire.
    func attempts(_ fire: Fire) -> Int {
        states[fire.name]?.pending.first { $0.at == fire.at }?.attempts ?? 0
    }

    // MARK: Executions

    /// Executions whose state the planner waits on: last executions not yet over.
    var watchedExecutions: [String] { Array(watching.keys) }

    /// The last execution of `name`, when the overlap policy needs its state before a fire.
    func overlapCheck(_ name: String) -> String? {
        guard let st = states[name], !st.isFixedDelay, st.definition.overlap != .allow, st.previousMayRun else { return nil }
        return st.lastExecution
    }

    /// New states of watched executions: outcomes, queued fires' turn, fixed-delay's next fire.
    /// Returns the last executions seen ending here, by schedule, for the last success and failure times.
    @discardableResult
    mutating func observed(_ seen: [String: (state: ExecutionState, finished: Int64?)], now: Instant)
        -> [(schedule: String, state: ExecutionState, finished: Int64?)] {
        var ended: [(schedule: String, state: ExecutionState, finished: Int64?)] = []
        for (id, s) in seen {
            guard let name = watching[id] else { continue }
            guard let st = states[name], st.lastExecution == id else { watching[id] = nil; continue }
            if s.state.isTerminal { watching[id] = nil }
            guard st.lastOutcome != s.state.rawValue else { continue }
            states[name]!.lastOutcome = s.state.rawValue
            dirtyNames.insert(name)
            if s.state.isTerminal {
                ended.append((name, s.state, s.finished))
                if !st.pending.isEmpty { withPending.insert(name) }
                if st.isFixedDelay, st.next == nil {
                    states[name]!.lastEnd = s.finished.map { Instant(millisecondsSinceEpoch: $0) } ?? now
                    replan(name, after: now)
                }
            }
        }
        return ended
    }

    /// Stops watching executions Redis no longer has (trimmed by retention, or
    /// never written by a gateway): their outcome stays as last seen.
    mutating func unwatch(_ ids: some Sequence<String>) {
        for id in ids { watching[id] = nil }
    }

    private mutating func replan(_ name: String, after: Instant) {
        guard var st = states[name] else { return }
        generation += 1
        st.generation = generation
        plan(&st, after: after)
        states[name] = st
    }

    // MARK: Status

    /// The status to publish for `name`.
    func status(_ name: String, scheduler: String, now: Instant) -> ScheduleStatus? {
        guard let st = states[name] else { return nil }
        let d = st.definition
        let zone = st.schedule.plan.zone
        var s = ScheduleStatus(name: name, job: d.job, trigger: d.triggerText, zone: d.zone,
                               nextFire: st.next.map { $0.iso8601(in: zone) }, nextFireMs: st.next?.millisecondsSinceEpoch,
                               lastFire: st.lastFire.map { $0.iso8601(in: zone) }, lastFireMs: st.lastFire?.millisecondsSinceEpoch,
                               lastExecution: st.lastExecution, lastOutcome: st.lastOutcome, paused: st.paused,
                               pending: st.pending.count, misfires: st.misfires, anchorMs: st.anchor.millisecondsSinceEpoch,
                               fingerprint: st.schedule.fingerprint, scheduler: scheduler, updatedMs: now.millisecondsSinceEpoch)
        s.pendingSinceMs = st.pending.map(\.at.millisecondsSinceEpoch).min()
        s.lastEndMs = st.lastEnd?.millisecondsSinceEpoch
        return s
    }

    /// Names whose status changed since the last call, which clears the marks.
    mutating func takeDirty() -> [String] {
        let out = dirtyNames.filter { states[$0] != nil }
        dirtyNames = []
        return Array(out)
    }

    /// Marks these statuses to publish again (the last publish failed).
    mutating func markDirty(_ names: [String]) {
        dirtyNames.formUnion(names)
    }

    /// Marks every status to publish again.
    mutating func markAllDirty() {
        dirtyNames = Set(states.keys)
    }

    /// Fires claimed and not yet delivered, over all schedules.
    var pendingCount: Int { withPending.reduce(0) { $0 + (states[$1]?.pending.count ?? 0) } }
}
