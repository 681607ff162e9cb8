import Dispatch
import Synchronization

/// Runs calls made concurrently from many threads as groups: one round trip
/// for everything that piled up while the previous one was on the wire.
///
/// The first caller becomes the leader and runs its own call at once, alone: an
/// idle system pays no added latency. Calls arriving meanwhile wait; when the
/// leader's round trip is back, it answers its callers and hands the lead to the
/// first waiting caller, who runs every waiting call in one round trip. Under
/// load each round trip carries many calls, which is what saves Redis its
/// per-request cost (read, parse, reply, wake-up) and the callers their system calls.
///
/// Callers that must not block (an HTTP event loop) `submit` with a completion
/// instead: their calls join the same groups, and a group whose first call is
/// such a submission is run on `leadQueue`.
final class GroupCommit<Item: Sendable, Output: Sendable>: Sendable {
    typealias Outcome = Result<Output, StoreError>

    /// Runs a group; one outcome per item, in order. A thrown error is every item's outcome.
    private let body: @Sendable ([Item]) throws(StoreError) -> [Outcome]
    private let state = Mutex(State())
    /// Round trips run, and the calls they carried.
    let groups = Atomic<Int>(0)
    let items = Atomic<Int>(0)

    /// Counts a round trip of `n` calls that a caller made itself in one go (the `…Many` calls).
    func countDirect(_ n: Int) {
        groups.add(1, ordering: .relaxed)
        items.add(n, ordering: .relaxed)
    }

    /// A call waiting for its group: a blocked thread, or a completion to run.
    private enum Waiter {
        case slot(Slot)
        case callback(@Sendable (Outcome) -> Void)
    }

    /// Runs the groups that submissions lead.
    private let leadQueue = DispatchQueue(label: "batch.store.group-commit")

    private struct State {
        var waiting: [(item: Item, waiter: Waiter)] = []
        /// A leader is running a group now.
        var busy = false
    }

    /// Where one call waits for its outcome, or to be told to lead.
    private final class Slot: @unchecked Sendable {
        // @unchecked Sendable: `outcome` and `lead` are written by one thread before
        // `ready.signal()` and read by the waiting thread only after `ready.wait()`.
        let ready = DispatchSemaphore(value: 0)
        var outcome: Outcome?
        var lead = false
    }

    /// The most calls one round trip carries (a script call runs alone in Redis: keep it short).
    let maxGroup: Int

    init(maxGroup: Int = 256, _ body: @escaping @Sendable ([Item]) throws(StoreError) -> [Outcome]) {
        precondition(maxGroup >= 1, "a group carries at least one call")
        self.maxGroup = maxGroup
        self.body = body
    }

    /// Runs `item` in a group and returns its outcome; blocks the calling thread.
    func call(_ item: Item) throws(StoreError) -> Output {
        let slot = Slot()
        if join(item, .slot(slot)) {
            run([(item, .slot(slot))])
        } else {
            slot.ready.wait()
            // What is waiting now, this call's item first among them, goes in one group.
            if slot.lead { runWaiting() }
        }
        guard let outcome = slot.outcome else { preconditionFailure("a group call ended without an outcome") }
        return try outcome.get()
    }

    /// Runs `item` in a group without waiting for other callers' groups: `done` gets its
    /// outcome on the thread that ran the group (keep it short). With `mayBlock`, a call
    /// that finds no group running runs its own on the calling thread (no thread hop on
    /// an idle system); without it (an event loop), every group runs on `leadQueue`.
    func submit(_ item: Item, mayBlock: Bool = false, _ done: @escaping @Sendable (Outcome) -> Void) {
        guard join(item, .callback(done)) else { return }
        if mayBlock {
            run([(item, .callback(done))])
        } else {
            leadQueue.async { self.run([(item, .callback(done))]) }
        }
    }

    /// Waits behind the group on the wire, or, when none is, leads (returns true): the caller
    /// then runs its own call as a group.
    private func join(_ item: Item, _ waiter: Waiter) -> Bool {
        state.withLock { s -> Bool in
            if s.busy {
                s.waiting.append((item, waiter))
                return false
            }
            s.busy = true
            return true
        }
    }

    /// Runs what is waiting as one group (up to `maxGroup`; the rest waits for the next leader).
    private func runWaiting() {
        let group = state.withLock { s in
            let n = min(maxGroup, s.waiting.count)
            defer { s.waiting.removeFirst(n) }
            return Array(s.waiting.prefix(n))
        }
        run(group)
    }

    /// Runs one group as its leader, answers its callers, and passes the lead on.
    private func run(_ group: [(item: Item, waiter: Waiter)]) {
        groups.add(1, ordering: .relaxed)
        items.add(group.count, ordering: .relaxed)
        let outcomes: [Outcome]
        do {
            outcomes = try body(group.map(\.item))
            precondition(outcomes.count == group.count, "a group body answered \(outcomes.count) outcomes for \(group.count) items")
        } catch {
            outcomes = Array(repeating: .failure(error), count: group.count)
        }
        let next = state.withLock { s -> Waiter? in
            guard let first = s.waiting.first else {
                s.busy = false
                return nil
            }
            return first.waiter
        }
        // Every member gets its outcome: a blocked caller with a signal (the leader's own signal
        // is never waited on: it reads its outcome once `run` returns), a submission by its completion.
        for (member, outcome) in zip(group, outcomes) {
            switch member.waiter {
            case .slot(let slot):
                slot.outcome = outcome
                slot.ready.signal()
            case .callback(let done):
                done(outcome)
            }
        }
        switch next {
        case .slot(let slot)?:
            slot.lead = true
            slot.ready.signal()
        case .callback?:
            leadQueue.async { self.runWaiting() }
        case nil:
            break
        }
    }
}
