import BatchCore
import Resilience

/// What happens to an attempt, as the runtime tells its machine. Instants are the
/// worker's monotonic milliseconds, read by the runtime.
enum AttemptEvent: Sendable, Hashable {
    /// The job runs: its handle is attached.
    case jobStarted
    /// An operator cancelled the attempt (the cancel call, or `cancelling` seen in Redis).
    case cancelRequested
    /// The worker is stopping and hands the attempt back.
    case drainRequested
    /// A renewal answered that the lease is gone.
    case leaseLost
    /// A renewal sent at `sentAt` kept the lease.
    case leaseRenewed(sentAt: Int64)
    /// The lease loop's timer; `outputWaiting` when output waits to be written.
    case tick(now: Int64, outputWaiting: Bool)
    /// A flush on the lane took the pending output; `took` when there was some.
    case flushStarted(took: Bool)
    /// The output a flush took is written, or failed to be.
    case flushFinished
    /// The job ended (a program that could not start too); `outputWaiting` when output is still to be written.
    case jobEnded(JobOutcome, outputWaiting: Bool)
    /// The dispatch that admitted the attempt is answered: the job runs, ended or never started.
    case dispatchAnswered
    /// On the lane: the end is to be decided and written now.
    case endDue(now: Int64)
    /// Writing the end failed; `unavailable` when Redis did not answer (a refusal otherwise).
    case endWriteFailed(unavailable: Bool, now: Int64)
    /// The attempt left the worker's table: its end written, given up or handed back, or it never ran.
    case removed
}

/// What the runtime does for an attempt, as its machine asks.
enum AttemptAction: Sendable, Hashable {
    /// Stop the job: SIGTERM, then SIGKILL after `grace` (at once when zero).
    case stopJob(grace: Duration)
    /// The stop reason became this one: log it (and count a lost lease).
    case stopping(StopReason)
    /// Queue a flush of the output on the attempt's lane.
    case queueFlush
    /// Write the output the flush took.
    case writeOutput
    /// Move the lease reaper's deadline of the job's process group to this instant.
    case moveReaperDeadline(Int64)
    /// Free the slot now; the end is still to be written.
    case freeSlot
    /// Write the end on the attempt's lane, after the output before it.
    case writeEndOnLane
    /// Write the end with the other ends of the dispatch just answered, in one round trip:
    /// the job ended while its dispatch was answered and left no output to write.
    case writeEndWithDispatch
    /// The lease may be gone: write nothing, take the attempt out.
    case giveUp
    /// Flush, then hand the attempt back to the queue.
    case handBack
    /// Flush, then write the end.
    case writeEnd
    /// Try writing the end again after this many milliseconds.
    case retryEnd(afterMillis: Int)
    /// The end will not be recorded: log it and take the attempt out.
    case endNotRecorded
}

/// The life of one attempt on this worker as a pure state machine: events in,
/// actions out. It reads no clock and does no I/O; the runtime feeds it under the
/// attempt's lock and carries out what it returns. It decides when the job is
/// stopped and why, when output is flushed, and how the end is written.
struct AttemptMachine: Sendable {
    enum Phase: Sendable, Hashable {
        /// Admitted; `ExecutionStore.start` not answered yet, or the job not started.
        case starting
        case running
        /// The job ended; the end is being written.
        case ending
        /// Out of the table: every event is ignored.
        case over
    }

    let policy: LeasePolicy
    /// The time between SIGTERM and SIGKILL of a stop that is not a lost lease.
    let killGrace: Duration
    private(set) var phase: Phase = .starting
    private(set) var stop: StopReason?
    private(set) var outcome: JobOutcome?
    /// When the last successful renewal (or the start) was sent.
    private(set) var lastRenewedAt: Int64
    private(set) var flushQueued = false
    /// A flush took output and is writing it (an end must not overtake it).
    private(set) var writingOutput = false
    /// `endDue` was answered: the end goes one way only.
    private(set) var endDecided = false
    private(set) var dispatchAnswered = false
    /// The job ended quietly before its dispatch was answered: the dispatch writes the end.
    private(set) var endHeld = false

    /// A machine for an attempt admitted at `now` (its lease counts from then).
    init(policy: LeasePolicy, killGrace: Duration, now: Int64) {
        self.policy = policy
        self.killGrace = killGrace
        lastRenewedAt = now
    }

    /// Whether a renewal should include the attempt: it started in Redis and its lease is not given up.
    var holdsLease: Bool { phase != .starting && phase != .over && stop != .lost }

    /// What the worker shows for the attempt (`BatchResult.status`) until and after it leaves the
    /// table. A lost lease wins over how the job ended: the job was killed for it (its outcome then
    /// reads `cancelled`) and nothing is written, so it shows `lost` from the moment the stop is decided.
    var status: String {
        if stop == .lost { return "lost" }
        if let outcome { return outcome.status.rawValue }
        return stop == .cancel ? "cancelling" : "running"
    }

    /// Where the lease reaper kills the job's process group unless a renewal moves it.
    var reaperDeadline: Int64 { policy.reaperDeadline(lastRenewedAt: lastRenewedAt) }

    /// Applies `event` and returns what the runtime is to do, in order. An event that does not
    /// apply (a second end, a start after the end, anything once the attempt is out) changes nothing.
    mutating func handle(_ event: AttemptEvent) -> [AttemptAction] {
        if phase == .over { return [] }
        switch event {
        case .jobStarted:
            guard phase == .starting else { return [] }
            phase = .running
            return stop.map { [.stopJob(grace: grace(for: $0))] } ?? []
        case .cancelRequested: return requestStop(.cancel)
        case .drainRequested: return requestStop(.drain)
        case .leaseLost:
            // A finished attempt's lease is gone by design: only a running job is lost.
            return phase == .running ? requestStop(.lost) : []
        case .leaseRenewed(let sentAt):
            lastRenewedAt = max(lastRenewedAt, sentAt)
            return [.moveReaperDeadline(reaperDeadline)]
        case .tick(let now, let outputWaiting):
            var out: [AttemptAction] = []
            if !flushQueued && outputWaiting && stop != .lost {
                flushQueued = true
                out.append(.queueFlush)
            }
            if phase != .starting, stop != .lost, policy.shouldAbandon(lastRenewedAt: lastRenewedAt, now: now) {
                out += requestStop(.lost)
            }
            return out
        case .flushStarted(let took):
            flushQueued = false
            guard took, stop != .lost else { return [] }
            writingOutput = true
            return [.writeOutput]
        case .flushFinished:
            writingOutput = false
            return []
        case .jobEnded(let ended, let outputWaiting):
            guard phase == .starting || phase == .running else { return [] }
            phase = .ending
            outcome = ended
            // Nothing to write before the end, and no flush on its lane writing some now.
            let quiet = !outputWaiting && !flushQueued && !writingOutput
            if quiet && !dispatchAnswered {
                endHeld = true
                return [.freeSlot]
            }
            return [.freeSlot, .writeEndOnLane]
        case .dispatchAnswered:
            guard !dispatchAnswered else { return [] }
            dispatchAnswered = true
            if !endHeld { return [] }
            endHeld = false
            return [.writeEndWithDispatch]
        case .endDue(let now):
            guard phase == .ending, !endDecided else { return [] }
            endDecided = true
            // Past the point of giving up (the worker was stopped, and its lease reaper may have
            // killed the job): the lease may be gone, so the attempt is lost, whatever it says.
            if stop != .lost, policy.shouldAbandon(lastRenewedAt: lastRenewedAt, now: now) { stop = .lost }
            if stop == .lost { return [.giveUp] }
            if stop == .drain && outcome == .cancelled { return [.handBack] }
            return [.writeEnd]
        case .endWriteFailed(let unavailable, let now):
            guard phase == .ending, endDecided else { return [] }
            let retry = unavailable && stop != .lost && !policy.shouldAbandon(lastRenewedAt: lastRenewedAt, now: now)
            return retry ? [.retryEnd(afterMillis: 200)] : [.endNotRecorded]
        case .removed:
            phase = .over
            return []
        }
    }

    /// The first reason stays, except that `lost` beats any other: nothing may be written any more.
    private mutating func requestStop(_ reason: StopReason) -> [AttemptAction] {
        if let old = stop, old == reason || reason != .lost { return [] }
        stop = reason
        if phase == .running { return [.stopping(reason), .stopJob(grace: grace(for: reason))] }
        return [.stopping(reason)]
    }

    private func grace(for reason: StopReason) -> Duration { reason == .lost ? .zero : killGrace }
}
