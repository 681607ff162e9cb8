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
/// and its `AttemptMachine`, which decides how it is stopped and ended. Its Redis
/// writes all go through `lane`, a serial queue, so output is written before the
/// end and in order.
final class Attempt: Sendable {
    struct State: Sendable {
        var machine: AttemptMachine
        /// Set while the job runs; the handle's callbacks hold the attempt, so it is let go at the end.
        var handle: (any JobHandle)?
        var output: OutputBuffer
        var outputBytes = 0
        /// The result JSON an in-process job ended with, for its end.
        var result: String?
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
    let lane: DispatchQueue
    let startedAt: Date
    /// `startedAt` as ISO 8601 text, made once.
    let startedAtText: String
    let startedMonotonic: Int64
    let state: Mutex<State>

    init(id: String, number: Int, job: JobType, params: [String: String], timeout: Duration, leaseMillis: Int,
         renewEvery: Duration, killGrace: Duration, lane: DispatchQueue, now: Int64, output: OutputBuffer) {
        self.id = id; self.number = number; self.job = job; self.params = params; self.timeout = timeout
        self.leaseMillis = leaseMillis
        self.lane = lane
        startedAt = Date()
        startedAtText = WorkerClock.iso(startedAt)
        startedMonotonic = now
        let policy = LeasePolicy(lease: .milliseconds(leaseMillis), renewEvery: renewEvery)
        state = Mutex(State(machine: AttemptMachine(policy: policy, killGrace: killGrace, now: now), output: output))
    }

    /// Feeds the event that `make` returns (reading the output or handle under the same lock)
    /// to the machine, stops the job when it says so, and returns its other actions.
    @discardableResult
    func send(_ make: (inout State) -> AttemptEvent) -> [AttemptAction] {
        let (actions, handle) = state.withLock { s -> ([AttemptAction], (any JobHandle)?) in
            let actions = s.machine.handle(make(&s))
            // Only a running job has a handle: once it ended, its callbacks no longer hold the attempt.
            if s.machine.phase != .running { s.handle = nil }
            return (actions, s.handle)
        }
        var rest: [AttemptAction] = []
        for action in actions {
            if case .stopJob(let grace) = action { handle?.stop(grace: grace) } else { rest.append(action) }
        }
        return rest
    }

    /// Feeds `event` to the machine (see `send(_:)`).
    @discardableResult
    func send(_ event: AttemptEvent) -> [AttemptAction] { send { _ in event } }

    /// Records the handle once the job runs; a stop asked meanwhile is applied to it.
    func attach(_ handle: any JobHandle) {
        send { s in
            s.handle = handle
            return .jobStarted
        }
    }

    /// The attempt as `GET /api/batch/executions/{id}` shows it.
    func snapshot() -> BatchResult {
        state.withLock { s in
            var r = BatchResult(executionId: id, attempt: number, status: s.machine.status, startedAt: startedAtText,
                                progress: s.output.progress, output: s.output.tail)
            if case .exited(let c)? = s.machine.outcome { r.exitCode = Int(c) }
            if case .signaled(let g)? = s.machine.outcome { r.signal = Int(g) }
            return r
        }
    }
}
