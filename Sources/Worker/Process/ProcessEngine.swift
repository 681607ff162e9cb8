import CSystem
import Dispatch
import FoundationEssentials
import Glibc
import Platform
import Synchronization

/// What `ProcessRunner.start` hands to the engine.
struct SpawnRequest: Sendable {
    var spec: ProcessSpec
    var wrapper: [String]
    var fallbackPath: String
    var onEvent: @Sendable (ProcessEvent) -> Void
    var onExit: @Sendable (ProcessOutcome) -> Void
    var box: OutcomeBox
    /// Watches the child's group from its spawn to just before its reap, when the spec has a lease deadline.
    var reaper: LeaseReaper?
    var startedAt: Date
    var wallClock: @Sendable () -> Date
}

typealias SpawnResult = Result<(id: UInt64, pid: pid_t), SpawnError>

enum EngineCommand: Sendable {
    case spawn(SpawnRequest, reply: @Sendable (SpawnResult) -> Void)
    case terminate(id: UInt64, cause: EndCause, graceNanos: UInt64)
}

/// The one thread that spawns every child, reads every pipe and notices every
/// exit (through pidfds in one epoll set), and runs timeouts and kill graces.
/// One long-lived thread because a child's `--pdeathsig` is tied to the thread
/// that spawned it; one thread for all children because 100 children then cost
/// a few file descriptors each, not a stack each.
final class ProcessEngine: Sendable {
    static let shared = ProcessEngine()
    /// The engine's loop, seen only from the engine's own thread.
    private static let currentLoop = ThreadLocal<EngineLoop>()

    let epollFD: Int32
    let wakeFD: Int32
    private let inbox = Mutex<[EngineCommand]>([])

    private init() {
        // A child that closes its stdin early must not kill the worker with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        wakeFD = eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK))
        precondition(epollFD >= 0 && wakeFD >= 0,
                     "process engine: epoll_create1/eventfd failed: \(String(cString: strerror(batch_errno())))")
        let added = ProcessSyscall.epollAdd(epollFD, wakeFD, events: EPOLLIN.rawValue, token: 0)
        precondition(added == nil, "process engine: cannot watch its eventfd")
        // Callbacks run here too; the stack is virtual memory until used.
        startThread(name: "batch-process-engine", stackSize: 4 << 20) { [self] in
            let loop = EngineLoop(engine: self)
            ProcessEngine.currentLoop.value = loop
            loop.run()
        }
    }

    /// Spawns on the engine's thread and waits for the answer (about a millisecond).
    func spawn(_ request: SpawnRequest) throws(SpawnError) -> (id: UInt64, pid: pid_t) {
        // From inside an onEvent/onExit callback we already are the engine's thread.
        if let loop = ProcessEngine.currentLoop.value {
            return try loop.spawn(request)
        }
        let done = DispatchSemaphore(value: 0)
        let answer = Mutex<SpawnResult?>(nil)
        submit(.spawn(request, reply: { result in
            answer.withLock { $0 = result }
            done.signal()
        }))
        done.wait()
        guard let result = answer.withLock({ $0 }) else {
            preconditionFailure("process engine answered a spawn without a result")
        }
        return try result.get()
    }

    /// Spawns on the engine's thread without blocking the caller's thread.
    func spawn(_ request: SpawnRequest) async throws(SpawnError) -> (id: UInt64, pid: pid_t) {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<SpawnResult, Never>) in
            submit(.spawn(request, reply: { continuation.resume(returning: $0) }))
        }
        return try result.get()
    }

    func submit(_ command: EngineCommand) {
        inbox.withLock { $0.append(command) }
        var one: UInt64 = 1
        _ = withUnsafeBytes(of: &one) { ProcessSyscall.write(wakeFD, $0) }
    }

    func takeCommands() -> [EngineCommand] {
        inbox.withLock { commands in
            defer { commands = [] }
            return commands
        }
    }
}
