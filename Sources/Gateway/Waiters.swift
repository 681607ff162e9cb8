import BatchCore
import Foundation
import HTTP
import Synchronization

/// Long polls (`?wait=SECONDS`) waiting for executions to end. Holds no
/// thread: a waiter is a responder and a timer.
final class Waiters: Sendable {
    struct Waiter: Sendable {
        let token: UInt64
        let complete: @Sendable (Bool) -> Void
    }

    let state = Mutex<(next: UInt64, byID: [String: [Waiter]])>((0, [:]))

    /// Registers a completion, called once: true when the execution ended, false on timeout.
    func add(id: String, timeout: Duration, _ complete: @escaping @Sendable (Bool) -> Void) {
        arm(id: id, token: add(id: id, complete), timeout: timeout)
    }

    /// Registers a completion without a timeout yet (see `arm`); returns its token.
    func add(id: String, _ complete: @escaping @Sendable (Bool) -> Void) -> UInt64 {
        let once = Atomic<Bool>(false)
        let fire: @Sendable (Bool) -> Void = { ended in
            if !once.exchange(true, ordering: .acquiringAndReleasing) { complete(ended) }
        }
        return state.withLock { s -> UInt64 in
            s.next += 1
            s.byID[id, default: []].append(Waiter(token: s.next, complete: fire))
            return s.next
        }
    }

    /// Starts a registered waiter's timeout: after `timeout` it completes with false.
    func arm(id: String, token: UInt64, timeout: Duration) {
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout.inSeconds) { [self] in
            remove(id: id, token: token)?.complete(false)
        }
    }

    /// Takes a waiter out without completing it; nil when it completed already.
    @discardableResult
    func remove(id: String, token: UInt64) -> Waiter? {
        state.withLock { s in
            guard let i = s.byID[id]?.firstIndex(where: { $0.token == token }) else { return nil }
            let w = s.byID[id]!.remove(at: i)
            if s.byID[id]!.isEmpty { s.byID[id] = nil }
            return w
        }
    }

    /// The execution ended: complete its waiters.
    func ended(_ id: String) {
        let ws = state.withLock { $0.byID.removeValue(forKey: id) } ?? []
        for w in ws { w.complete(true) }
    }

    var isEmpty: Bool { state.withLock { $0.byID.isEmpty } }
}
