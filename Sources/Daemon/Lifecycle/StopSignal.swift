import Synchronization

/// A one-way latch a service's `run()` waits on and its `stop()` trips.
///
/// ```swift
/// func run() async throws { while await !stopSignal.sleep(for: .seconds(1)) { tick() } }
/// func stop() async { stopSignal.stop() }
/// ```
public final class StopSignal: Sendable {
    private struct State {
        var stopped = false
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextID: UInt64 = 0
    }
    private let state = Mutex(State())

    public init() {}

    public var isStopped: Bool { state.withLock { $0.stopped } }

    /// Trips the latch and wakes every waiter; later calls do nothing.
    public func stop() {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            guard !s.stopped else { return [] }
            s.stopped = true
            let w = Array(s.waiters.values)
            s.waiters = [:]
            return w
        }
        for w in waiters { w.resume() }
    }

    /// Returns once `stop()` was called, or when the calling task is cancelled.
    public func wait() async {
        let id = state.withLock { s -> UInt64 in
            s.nextID += 1
            return s.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s -> Bool in
                    if s.stopped || Task.isCancelled { return true }
                    s.waiters[id] = c
                    return false
                }
                if resumeNow { c.resume() }
            }
        } onCancel: {
            let c = state.withLock { $0.waiters.removeValue(forKey: id) }
            c?.resume()
        }
    }

    /// Sleeps for `duration` unless stopped first; returns whether the latch is tripped.
    public func sleep(for duration: Duration) async -> Bool {
        await sleep { try await Task.sleep(for: duration) }
    }

    /// Runs `sleeper` (an injected clock's sleep, in tests) until it returns or
    /// the latch trips, whichever is first; returns whether the latch is tripped.
    public func sleep(_ sleeper: @escaping @Sendable () async throws -> Void) async -> Bool {
        if isStopped { return true }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await sleeper() }
            group.addTask { await self.wait() }
            await group.next()
            group.cancelAll()
        }
        return isStopped
    }
}
