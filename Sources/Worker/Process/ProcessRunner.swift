import FoundationEssentials
import Platform
import Glibc

/// Starts job programs as child processes and watches them to the end.
///
/// Every child runs in its own process group with an empty signal mask, default
/// signal dispositions, its stdin/stdout/stderr on pipes and only the
/// environment in its spec. Output arrives as `ProcessEvent`s and the end as a
/// `ProcessOutcome`, both called on the runner's single engine thread: callbacks
/// must return quickly (hand work to a queue) and must not block. They may
/// start or cancel other processes.
///
/// When the main process exits, whatever is left of its group gets SIGKILL
/// once its output is closed or 250 ms have passed (background processes do
/// not outlive their job). Cancel and timeout send SIGTERM to the group, then
/// SIGKILL after `killGrace`.
public final class ProcessRunner: Sendable {
    /// Whether children are wrapped in `setpriv --pdeathsig KILL` and so die
    /// with the worker (false when asked, or when setpriv is missing).
    public let dieWithParent: Bool
    private let wrapper: [String]
    private let fallbackPath: String
    private let wallClock: @Sendable () -> Date
    /// Kills a child's group when its `ProcessSpec.leaseDeadline` passes (nil: no such deadlines).
    public let reaper: LeaseReaper?

    /// - Parameters:
    ///   - dieWithParent: run each program under `setpriv --pdeathsig KILL --`
    ///     so that it gets SIGKILL when the worker dies, even by `kill -9`.
    ///     Only the main process of a job is tied this way; its own children
    ///     are reached by the group kill, or by systemd's cgroup kill.
    ///   - setprivPath: util-linux's setpriv; when it is not executable, a
    ///     warning goes to `warn` and children are started without it.
    ///   - wallClock: for `ProcessOutcome.startedAt`/`endedAt`.
    ///   - warn: where the warning about a missing setpriv goes (stderr by default).
    ///   - reaper: enforces `ProcessSpec.leaseDeadline` from outside this process.
    public init(dieWithParent: Bool = true, setprivPath: String = "/usr/bin/setpriv",
                wallClock: @escaping @Sendable () -> Date = { Date() }, reaper: LeaseReaper? = nil,
                warn: (@Sendable (String) -> Void)? = nil) {
        if dieWithParent && access(setprivPath, X_OK) != 0 {
            let message = "level=warning msg=\"\(setprivPath) is missing or not executable: job processes will not die with the worker; install util-linux, or rely on systemd's KillMode\""
            if let warn { warn(message) } else { ProcessSyscall.writeStderr(message) }
            self.dieWithParent = false
        } else {
            self.dieWithParent = dieWithParent
        }
        wrapper = self.dieWithParent ? [setprivPath, "--pdeathsig", "KILL", "--"] : []
        fallbackPath = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        self.wallClock = wallClock
        self.reaper = reaper
    }

    /// Starts `spec.argv` and returns once the child runs (about a millisecond).
    /// Blocks the calling thread meanwhile; from async code use the async overload.
    /// - Throws: `SpawnError` when the program is not found, not executable,
    ///   the working directory does not exist, or the system is out of resources.
    @discardableResult
    public func start(_ spec: ProcessSpec,
                      onEvent: @escaping @Sendable (ProcessEvent) -> Void = { _ in },
                      onExit: @escaping @Sendable (ProcessOutcome) -> Void = { _ in }) throws(SpawnError) -> RunningProcess {
        let (request, box) = makeRequest(spec, onEvent, onExit)
        let (id, pid) = try ProcessEngine.shared.spawn(request)
        return RunningProcess(pid: pid, id: id, engine: ProcessEngine.shared, box: box, grace: spec.killGrace)
    }

    /// Starts `spec.argv` without blocking a thread of the cooperative pool.
    @discardableResult
    public func start(_ spec: ProcessSpec,
                      onEvent: @escaping @Sendable (ProcessEvent) -> Void = { _ in },
                      onExit: @escaping @Sendable (ProcessOutcome) -> Void = { _ in }) async throws(SpawnError) -> RunningProcess {
        let (request, box) = makeRequest(spec, onEvent, onExit)
        let (id, pid) = try await ProcessEngine.shared.spawn(request)
        return RunningProcess(pid: pid, id: id, engine: ProcessEngine.shared, box: box, grace: spec.killGrace)
    }

    private func makeRequest(_ spec: ProcessSpec, _ onEvent: @escaping @Sendable (ProcessEvent) -> Void,
                             _ onExit: @escaping @Sendable (ProcessOutcome) -> Void) -> (SpawnRequest, OutcomeBox) {
        let box = OutcomeBox()
        let request = SpawnRequest(spec: spec, wrapper: wrapper, fallbackPath: fallbackPath, onEvent: onEvent,
                                   onExit: onExit, box: box, reaper: reaper, startedAt: wallClock(), wallClock: wallClock)
        return (request, box)
    }
}

/// A started child. Dropping it does not stop the child.
public final class RunningProcess: Sendable {
    /// The main process's pid, which is also its process group's id.
    public let pid: Int32
    private let id: UInt64
    private let engine: ProcessEngine
    private let box: OutcomeBox
    private let grace: Duration

    init(pid: Int32, id: UInt64, engine: ProcessEngine, box: OutcomeBox, grace: Duration) {
        self.pid = pid; self.id = id; self.engine = engine; self.box = box; self.grace = grace
    }

    /// Stops the whole process group: SIGTERM now, SIGKILL after the spec's
    /// `killGrace`. The outcome's cause is `.cancelled` unless the child had
    /// already ended or was already being stopped. Returns at once.
    public func cancel() { terminate(grace: grace) }

    /// `cancel()` with another grace period.
    public func terminate(grace: Duration) {
        engine.submit(.terminate(id: id, cause: .cancelled, graceNanos: grace.nanosecondsClamped))
    }

    /// False once the outcome is known.
    public var isRunning: Bool { box.outcome == nil }

    /// The outcome, once the child has ended and its output was delivered.
    public var outcome: ProcessOutcome? { box.outcome }

    /// Waits for the outcome (it arrives after `onExit` was called). Not
    /// cancellable: cancel the process instead, and the wait ends.
    public func wait() async -> ProcessOutcome { await box.wait() }
}
