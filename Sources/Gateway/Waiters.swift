import BatchCore
import Foundation
import HTTP
import Store
import Synchronization

/// Long polls (`?wait=SECONDS`) waiting for executions to end. Holds no
/// thread: a waiter is a responder and a timer.
final class Waiters: Sendable {
    /// How a long poll ends: its execution ended (with the record when it was read), or time ran out.
    enum Outcome: Sendable {
        case ended(ExecutionRecord?)
        case timedOut
    }

    struct Waiter: Sendable {
        let token: UInt64
        let complete: @Sendable (Outcome) -> Void
    }

    let state = Mutex<(next: UInt64, byID: [String: [Waiter]])>((0, [:]))

    /// Registers a completion, called once: when the execution ended, or on timeout.
    func add(id: String, timeout: Duration, _ complete: @escaping @Sendable (Outcome) -> Void) {
        arm(id: id, token: add(id: id, complete), timeout: timeout)
    }

    /// Registers a completion without a timeout yet (see `arm`); returns its token.
    func add(id: String, _ complete: @escaping @Sendable (Outcome) -> Void) -> UInt64 {
        let once = Atomic<Bool>(false)
        let fire: @Sendable (Outcome) -> Void = { outcome in
            if !once.exchange(true, ordering: .acquiringAndReleasing) { complete(outcome) }
        }
        return state.withLock { s -> UInt64 in
            s.next += 1
            s.byID[id, default: []].append(Waiter(token: s.next, complete: fire))
            return s.next
        }
    }

    /// Starts a registered waiter's timeout: after `timeout` it completes as timed out.
    func arm(id: String, token: UInt64, timeout: Duration) {
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout.inSeconds) { [self] in
            remove(id: id, token: token)?.complete(.timedOut)
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

    /// The execution ended: complete its waiters (with its record, when the caller read it).
    func ended(_ id: String, record: ExecutionRecord? = nil) {
        let ws = state.withLock { $0.byID.removeValue(forKey: id) } ?? []
        for w in ws { w.complete(.ended(record)) }
    }

    /// Of `ids`, those that long polls wait on.
    func waited(among ids: [String]) -> [String] {
        state.withLock { s in s.byID.isEmpty ? [] : ids.filter { s.byID[$0] != nil } }
    }
}
