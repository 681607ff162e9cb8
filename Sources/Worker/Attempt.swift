import BatchCore
import Dispatch
import FoundationEssentials
import Resilience
import Synchronization

/// Why the worker itself stops an attempt's job.
enum StopReason: Sendable, Hashable {
    /// An operator cancelled it (the cancel call, or `cancelling` seen on renewal).
    case cancel
    /// The lease is gone or may be: kill at once and write nothing for the attempt.
    case lost
    /// The worker is stopping: hand the attempt back to the queue.
    case drain
}

/// Something running an attempt's job that the worker can stop.
protocol JobHandle: Sendable {
    /// Stops the job; its end arrives through the usual path. `grace` is the
    /// time between SIGTERM and SIGKILL for processes.
    func stop(grace: Duration)
}

extension RunningProcess: JobHandle {
    func stop(grace: Duration) { terminate(grace: grace) }
}

/// One attempt running on this worker: what it runs, its lease, its output,
/// and how it is being stopped. Its Redis writes all go through `lane`, a
/// serial queue, so output is written before the end and in order.
final class Attempt: Sendable {
    enum Phase: Sendable, Hashable {
        /// Admitted; `ExecutionStore.start` not answered yet.
        case starting
        case running
        /// The job ended; the end is being written.
        case ending
    }

    struct State: Sendable {
        var phase: Phase = .starting
        var handle: (any JobHandle)?
        var output: OutputBuffer
        /// Monotonic ms at which the last successful renewal (or the start) was sent.
        var lastRenewedAt: Int64
        var stop: StopReason?
        var flushQueued = false
        /// A flush took output and is writing it (an end must not overtake it).
        var writingOutput = false
        var outcome: JobOutcome?
        var outputBytes = 0
        /// Opened by the lane at the first write, when `worker.log-dir` is set.
        var logFile: LogFile?
        var logFileTried = false
    }

    let id: String
    let number: Int
    let job: JobType
    let params: [String: String]
    let timeout: Duration
    let leaseMillis: Int
    let policy: LeasePolicy
    let lane: DispatchQueue
    let startedAt: Date
    /// `startedAt` as ISO 8601 text, made once.
    let startedAtText: String
    let startedMonotonic: Int64
    let state: Mutex<State>

    init(id: String, number: Int, job: JobType, params: [String: String], timeout: Duration, leaseMillis: Int,
         renewEvery: Duration, lane: DispatchQueue, now: Int64, output: OutputBuffer) {
        self.id = id; self.number = number; self.job = job; self.params = params; self.timeout = timeout
        self.leaseMillis = leaseMillis
        policy = LeasePolicy(lease: .milliseconds(leaseMillis), renewEvery: renewEvery)
        self.lane = lane
        startedAt = Date()
        startedAtText = WorkerClock.iso(startedAt)
        startedMonotonic = now
        state = Mutex(State(output: output, lastRenewedAt: now))
    }

    /// Asks the job to stop. The first reason stays, except that `lost` beats
    /// any other (nothing may be written any more). Returns whether this call
    /// changed the reason.
    @discardableResult
    func requestStop(_ reason: StopReason, killGrace: Duration) -> Bool {
        let (handle, changed): ((any JobHandle)?, Bool) = state.withLock { s in
            if let old = s.stop, old == reason || reason != .lost { return (nil, false) }
            s.stop = reason
            return (s.phase == .running ? s.handle : nil, true)
        }
        handle?.stop(grace: reason == .lost ? .zero : killGrace)
        return changed
    }

    /// Records the handle once the job runs; applies a stop asked meanwhile.
    func attach(_ handle: any JobHandle, killGrace: Duration) {
        let pending: StopReason? = state.withLock { s in
            s.handle = handle
            if s.phase == .starting { s.phase = .running }
            return s.stop
        }
        if let pending { handle.stop(grace: pending == .lost ? .zero : killGrace) }
    }

    /// The attempt as `GET /api/batch/executions/{id}` shows it.
    func snapshot() -> BatchResult {
        state.withLock { s in
            var status = "running"
            if let o = s.outcome { status = o.status.rawValue } else if s.stop == .cancel { status = "cancelling" }
            var r = BatchResult(executionId: id, attempt: number, status: status, startedAt: startedAtText,
                                progress: s.output.progress, output: s.output.tail)
            if case .exited(let c)? = s.outcome { r.exitCode = Int(c) }
            if case .signaled(let g)? = s.outcome { r.signal = Int(g) }
            return r
        }
    }
}
