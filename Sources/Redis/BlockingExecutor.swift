import Dispatch
import FoundationEssentials
import Platform
import Synchronization

/// A small pool of threads of its own for the client's async API: the work blocks (hiredis), so it
/// must not run on Swift's cooperative pool, and a FIFO shared by all threads means one long call
/// (a `BLPOP`) never holds up the calls queued behind it while another thread is free.
/// Threads start on demand up to `maxThreads` and stay until `shutdown()`.
final class BlockingExecutor: Sendable {
    private struct State {
        var jobs: [@Sendable () -> Void] = []
        var idle = 0
        var threads = 0
        var stopped = false
    }

    private let state = Mutex(State())
    /// One signal per queued job (and one per thread at shutdown).
    private let wakeups = DispatchSemaphore(value: 0)
    private let maxThreads: Int
    private let name: String

    init(maxThreads: Int, name: String) {
        precondition(maxThreads > 0, "an executor needs at least one thread")
        self.maxThreads = maxThreads
        self.name = name
    }

    func submit(_ job: @escaping @Sendable () -> Void) {
        let newThread = state.withLock { s -> Int? in
            s.jobs.append(job)
            // Busy threads may block for long (a BLPOP): only waiting ones count as able to take
            // a job, and a waiter already signalled for an earlier job still counts until it wakes.
            guard s.jobs.count > s.idle, s.threads < maxThreads, !s.stopped else { return nil }
            s.threads += 1
            return s.threads
        }
        if let number = newThread {
            startThread(name: "\(name) \(number)") { [self] in work() }
        }
        wakeups.signal()
    }

    /// Lets every thread finish its current job and exit; jobs still queued are run first.
    func shutdown() {
        let threads = state.withLock { s in
            s.stopped = true
            return s.threads
        }
        for _ in 0..<threads { wakeups.signal() }
    }

    private func work() {
        while true {
            state.withLock { $0.idle += 1 }
            wakeups.wait()
            let job = state.withLock { s -> (@Sendable () -> Void)? in
                s.idle -= 1
                if s.jobs.isEmpty {
                    if s.stopped { s.threads -= 1 }
                    return nil
                }
                return s.jobs.removeFirst()
            }
            guard let job else {
                if state.withLock({ $0.stopped }) { return }
                continue
            }
            job()
        }
    }
}
