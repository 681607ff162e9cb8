import Dispatch
import FoundationEssentials
import Platform
import Synchronization

/// A fixed set of threads for handlers that may block; never the event loops, never Swift's cooperative pool.
final class HandlerPool: Sendable {
    private struct Queue {
        var jobs: [@Sendable () -> Void] = []
        var head = 0
        var stopping = false
    }

    private let queue = Mutex(Queue())
    private let available = DispatchSemaphore(value: 0)
    private let exited = DispatchSemaphore(value: 0)
    let threadCount: Int

    init(threads: Int, name: String) {
        threadCount = max(1, threads)
        for i in 0..<threadCount {
            startThread(name: "\(name)-\(i)", stackSize: 1 << 20) { [self] in run() }
        }
    }

    func submit(_ job: @escaping @Sendable () -> Void) {
        queue.withLock { $0.jobs.append(job) }
        available.signal()
    }

    /// Lets queued jobs finish, then ends the threads and waits for them.
    func shutdown() {
        queue.withLock { $0.stopping = true }
        for _ in 0..<threadCount { available.signal() }
        for _ in 0..<threadCount { exited.wait() }
    }

    private func run() {
        while true {
            available.wait()
            let job: (@Sendable () -> Void)? = queue.withLock { q in
                guard q.head < q.jobs.count else { return nil }
                let job = q.jobs[q.head]
                q.head += 1
                if q.head > 1024 && q.head * 2 > q.jobs.count {
                    q.jobs.removeFirst(q.head)
                    q.head = 0
                }
                return job
            }
            if let job {
                job()
            } else if queue.withLock({ $0.stopping }) {
                exited.signal()
                return
            }
        }
    }
}
