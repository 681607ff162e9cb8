import Foundation

/// Wakes waiting dispatcher threads when there may be work: a new execution,
/// an ended one (a free slot), a refreshed worker list.
final class Wakeup: @unchecked Sendable {
    // @unchecked: all state is guarded by the condition's own lock.
    private let condition = NSCondition()
    private var generation: UInt64 = 0

    func signal() {
        condition.lock()
        generation &+= 1
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until signalled after `since`, or the timeout; returns the generation to wait on next.
    func wait(since: UInt64, timeout: Duration) -> UInt64 {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: timeout.inSeconds)
        while generation == since {
            if !condition.wait(until: deadline) { break }
        }
        return generation
    }

    var current: UInt64 {
        condition.lock()
        defer { condition.unlock() }
        return generation
    }
}
