import Foundation
import Synchronization

/// Wakes a waiting dispatcher thread when there may be work: a new execution,
/// an ended one (a free slot), a refreshed worker list.
///
/// One signal wakes one dispatcher, not all of them: every wake-up of a thread
/// that then finds nothing to claim costs a context switch and a round trip to
/// Redis, and under load that herd was a large share of the gateway's CPU. A
/// signal while no dispatcher waits is kept (signals coalesce into one), so
/// none is lost; a dispatcher that claimed a full batch signals again, so a
/// backlog wakes as many dispatchers as it needs.
///
/// An end (or a new worker) frees a slot, but a slot helps only when something waits in the queue:
/// `capacityFreed` wakes a dispatcher only while the queues may hold work, that is
/// unless the last claim found them empty and nothing was queued since. And an
/// execution this gateway created wakes a dispatcher once, when its write is
/// done, not again when its `created` event comes back through the stream.
final class Wakeup: Sendable {
    private let bell = Bell()
    private let workMayWait = Atomic<Bool>(true)
    /// Executions created here whose `created` event was not read back yet.
    private let createdHere = Mutex<Set<String>>([])

    /// Something was queued (or may have been): wake a dispatcher.
    func signal() {
        workMayWait.store(true, ordering: .releasing)
        wake()
    }

    /// A slot was freed (an attempt ended) or a worker came: wake a dispatcher if anything may be waiting for one.
    func capacityFreed() {
        if workMayWait.load(ordering: .acquiring) { wake() }
    }

    /// A claim call ran; `queueEmpty` when it left nothing queued at all.
    func claimed(queueEmpty: Bool) {
        // A signal between the claim and this store makes a dispatcher claim again, which stores anew.
        workMayWait.store(!queueEmpty, ordering: .releasing)
    }

    /// This gateway is creating `id`, and will signal when the write is done.
    func creating(_ id: String) {
        createdHere.withLock { s in
            // Events not read back for long (the stream unreadable): forget them; the worst
            // that follows is a dispatcher woken for nothing.
            if s.count >= 10_000 { s.removeAll() }
            s.insert(id)
        }
    }

    /// The write of `id` failed or found an earlier execution: no `created` event will come.
    func notCreated(_ id: String) {
        _ = createdHere.withLock { $0.remove(id) }
    }

    /// The `created` event of `id` was read: true when this gateway created it (and so has signalled already).
    func createdEventSeen(_ id: String) -> Bool {
        createdHere.withLock { $0.remove(id) != nil }
    }

    private func wake() { bell.ring() }

    /// Wakes every waiting dispatcher (at stop).
    func signalAll() { bell.ringAll() }

    /// Waits for a signal (taking it) or the timeout; true when signalled.
    @discardableResult
    func wait(timeout: Duration) -> Bool { bell.wait(timeout: timeout) }
}

/// A wake-up for threads that wait: one ring wakes one waiter, and a ring while none waits is
/// kept for the next, so rings coalesce into one (a burst costs one wake-up, not one each).
final class Bell: @unchecked Sendable {
    // @unchecked: `pending` is guarded by the condition's own lock.
    private let condition = NSCondition()
    private var pending = false

    func ring() {
        condition.lock()
        if !pending {
            pending = true
            condition.signal()
        }
        condition.unlock()
    }

    /// Wakes every waiter.
    func ringAll() {
        condition.lock()
        pending = true
        condition.broadcast()
        condition.unlock()
    }

    /// Waits for a ring (taking it) or the timeout; true when rung.
    @discardableResult
    func wait(timeout: Duration) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: timeout.inSeconds)
        while !pending {
            if !condition.wait(until: deadline) { return false }
        }
        pending = false
        return true
    }
}
