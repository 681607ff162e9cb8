import Foundation
import Synchronization
import Testing

/// `@Suite(.blocking)` / `@Test(.blocking)`: the tests block their thread (sockets, Redis,
/// `waitpid`, `waitUntil`), so each runs on a thread of its own instead of Swift's cooperative pool.
///
/// Swift Testing runs every test as a task on the cooperative pool, which has one thread per core
/// (two here). A synchronous test that waits on a socket holds one of them until it ends, and the
/// queued continuations of async tests wait behind every such test: their deadlines pass while
/// they never ran (55 s stalls were seen on a loaded machine). With this trait a blocking test
/// occupies a thread that nobody else needs, and at most `BATCH_TEST_BLOCKING_WIDTH` (default 4)
/// such tests run at once, so the machine is not flooded with servers started in parallel.
public struct BlockingTestTrait: TestTrait, SuiteTrait, TestScoping {
    public var isRecursive: Bool { true }
    /// Runs while no other blocking test runs (it takes every slot of the gate): for tests that
    /// measure the whole process, such as its resident memory.
    public let isExclusive: Bool

    @TaskLocal static var isInScope = false

    public init(exclusive: Bool = false) {
        isExclusive = exclusive
    }

    /// Only each test case gets a scope (not the suite, not a parameterized test as a whole),
    /// so a case holds a slot of the gate only while it runs.
    public func scopeProvider(for test: Test, testCase: Test.Case?) -> Self? {
        testCase == nil ? nil : self
    }

    public func provideScope(for test: Test, testCase: Test.Case?,
                             performing function: @Sendable () async throws -> Void) async throws {
        // The trait can reach one test twice (on a suite and on the test, or inherited along two
        // paths): the inner scope must not take a second slot, or tests holding one slot each and
        // waiting for another would deadlock the gate.
        if Self.isInScope {
            try await function()
            return
        }
        let gate = BlockingGate.shared
        let slots = isExclusive ? gate.width : 1
        await gate.enter(slots: slots)
        defer { gate.leave(slots: slots) }
        // A task started with the preference begins on that executor; `withTaskExecutorPreference`
        // alone would keep running the synchronous body inline on the pool thread that called it.
        // The task is awaited before returning, so `function` does not really escape; task-local
        // values (the current test, for issue reporting) are inherited, cancellation is forwarded.
        try await withoutActuallyEscaping(function) { body in
            let task = Task(executorPreference: ThreadPerJobExecutor.shared) {
                try await Self.$isInScope.withValue(true) { try await body() }
            }
            try await withTaskCancellationHandler {
                try await task.value
            } onCancel: {
                task.cancel()
            }
        }
    }
}

extension Trait where Self == BlockingTestTrait {
    /// The test (or every test of the suite) blocks its thread: run it off the cooperative pool.
    public static var blocking: Self { BlockingTestTrait() }
    /// Blocking, and alone among blocking tests while it runs: for measurements of the whole
    /// process (resident memory) that other tests' work would blur.
    public static var blockingExclusively: Self { BlockingTestTrait(exclusive: true) }
}

/// Runs every job on a new thread: a job that blocks for a minute delays nobody else.
/// Jobs are whole stretches of a test between suspension points, so threads are few and short-lived.
final class ThreadPerJobExecutor: TaskExecutor {
    static let shared = ThreadPerJobExecutor()

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        let thread = Thread {
            Thread.current.threadDictionary[blockingThreadKey] = true
            job.runSynchronously(on: executor)
        }
        thread.start()
    }
}

let blockingThreadKey = "batch.test.blocking-thread"

/// Whether the caller runs on a thread the `.blocking` trait made (not on the cooperative pool).
func isOnBlockingTestThread() -> Bool {
    Thread.current.threadDictionary[blockingThreadKey] as? Bool == true
}

/// Counts running blocking tests; a test waiting for slots suspends (it does not block a thread).
/// Waiters are admitted in arrival order, so an exclusive test (all slots) is not starved by
/// single-slot tests arriving after it.
final class BlockingGate: Sendable {
    static let shared = BlockingGate(width: {
        let configured = ProcessInfo.processInfo.environment["BATCH_TEST_BLOCKING_WIDTH"].flatMap { Int($0) }
        return max(1, configured ?? 4)
    }())

    private struct Waiter {
        var slots: Int
        var continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var free: Int
        var waiting: [Waiter] = []
    }

    let width: Int
    private let state: Mutex<State>

    init(width: Int) {
        self.width = width
        state = Mutex(State(free: width))
    }

    func enter(slots: Int = 1) async {
        precondition(slots >= 1 && slots <= width, "a test asks for \(slots) slots of a gate \(width) wide")
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let admitted = state.withLock { s in
                if s.waiting.isEmpty && s.free >= slots {
                    s.free -= slots
                    return true
                }
                s.waiting.append(Waiter(slots: slots, continuation: continuation))
                return false
            }
            if admitted { continuation.resume() }
        }
    }

    /// Tests suspended in `enter()`, waiting for slots.
    var waitingCount: Int { state.withLock { $0.waiting.count } }

    func leave(slots: Int = 1) {
        let admitted = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.free += slots
            var admitted: [CheckedContinuation<Void, Never>] = []
            while let head = s.waiting.first, s.free >= head.slots {
                s.free -= head.slots
                s.waiting.removeFirst()
                admitted.append(head.continuation)
            }
            return admitted
        }
        admitted.forEach { $0.resume() }
    }
}
