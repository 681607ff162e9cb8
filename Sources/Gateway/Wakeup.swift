import Foundation

/// Wakes a waiting dispatcher thread when there may be work: a new execution,
/// an ended one (a free slot), a refreshed worker list.
///
/// One signal wakes one dispatcher, not all of them: every wake-up of a thread
/// that then finds nothing to claim costs a context switch and a round trip to
/// Redis, and under load that herd was a large share of the gateway's CPU. A
/// signal while no dispatcher waits is kept (signals coalesce into one), so
/// none is lost; a dispatcher that claimed a full batch signals again, so a
/// backlog wakes as many dispatchers as it needs.
final class Wakeup: @unchecked Sendable {
    // @unchecked: all state is guarded by the condition's own lock.
    private let condition = NSCondition()
    private var pending = false

    func signal() {
        condition.lock()
        // A signal already pending has woken a dispatcher (or will be taken by the next to wait):
        // a burst of new executions costs one wake-up, not one each.
        if !pending {
            pending = true
            condition.signal()
        }
        condition.unlock()
    }

    /// Wakes every waiting dispatcher (at stop).
    func signalAll() {
        condition.lock()
        pending = true
        condition.broadcast()
        condition.unlock()
    }

    /// Waits for a signal (taking it) or the timeout.
    func wait(timeout: Duration) {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: timeout.inSeconds)
        while !pending {
            if !condition.wait(until: deadline) { return }
        }
        pending = false
    }
}
