import Foundation
import Synchronization

/// A few threads that run blocking deliveries, so a slow gateway never delays the
/// timing loop. Jobs run in the order given, `threads` at a time.
final class DeliveryPool: Sendable {
    private let jobs = Mutex<[@Sendable () -> Void]>([])
    private let available = DispatchSemaphore(value: 0)
    private let stopped = Atomic<Bool>(false)
    private let running = Atomic<Int>(0)
    let threads: Int

    init(threads: Int, name: String) {
        self.threads = threads
        for i in 0..<threads {
            let t = Thread { [self] in work() }
            t.name = "\(name)-\(i)"
            running.add(1, ordering: .relaxed)
            t.start()
        }
    }

    func submit(_ job: @escaping @Sendable () -> Void) {
        jobs.withLock { $0.append(job) }
        available.signal()
    }

    /// Jobs waiting for a thread.
    var queued: Int { jobs.withLock { $0.count } }

    /// Lets the threads finish the queue and exit.
    func shutdown() {
        stopped.store(true, ordering: .relaxed)
        for _ in 0..<threads { available.signal() }
    }

    private func work() {
        defer { running.subtract(1, ordering: .relaxed) }
        while true {
            available.wait()
            let job = jobs.withLock { $0.isEmpty ? nil : $0.removeFirst() }
            if let job { job(); continue }
            if stopped.load(ordering: .relaxed) { return }
        }
    }
}
