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
        let once = Atomic<Bool>(false)
        let fire: @Sendable (Bool) -> Void = { ended in
            if !once.exchange(true, ordering: .acquiringAndReleasing) { complete(ended) }
        }
        let token = state.withLock { s -> UInt64 in
            s.next += 1
            s.byID[id, default: []].append(Waiter(token: s.next, complete: fire))
            return s.next
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout.inSeconds) { [self] in
            state.withLock { s in
                s.byID[id]?.removeAll { $0.token == token }
                if s.byID[id]?.isEmpty == true { s.byID[id] = nil }
            }
            fire(false)
        }
    }

    /// The execution ended: complete its waiters.
    func ended(_ id: String) {
        let ws = state.withLock { $0.byID.removeValue(forKey: id) } ?? []
        for w in ws { w.complete(true) }
    }

    var isEmpty: Bool { state.withLock { $0.byID.isEmpty } }
}
