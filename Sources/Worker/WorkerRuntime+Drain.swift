import BatchCore
import FoundationEssentials
import Platform

extension WorkerRuntime {
    /// Graceful stop: take no new work, leave the fleet, let running attempts
    /// finish until `drain-timeout`, then stop the rest and hand them back to
    /// the queue (not counted as a failure). Returns when nothing runs or the
    /// kill grace has passed too.
    public func drain() async {
        table.withLock { $0.draining = true }
        let fleet = self.fleet, id = self.id, log = logger
        await Self.offPool {
            do { try fleet.deregister(id: id) } catch { log.warning("cannot remove the registration", ["error": "\(error)"]) }
        }
        let attempts = table.withLock { $0.attempts.count }
        if attempts > 0 {
            log.notice("draining", ["attempts": String(attempts), "deadline": "\(settings.drainTimeout)"])
        }
        if await !waitForIdle(within: settings.drainTimeout) {
            let left = table.withLock { Array($0.attempts.values) }
            log.notice("drain deadline passed: stopping attempts and handing them back", ["attempts": String(left.count)])
            for a in left { a.send(.drainRequested) }
            if await !waitForIdle(within: settings.killGrace + .seconds(3)) {
                log.error("attempts still running after the kill grace", ["attempts": String(table.withLock { $0.attempts.count })])
            }
        }
        stopLoop()
    }

    private func waitForIdle(within limit: Duration) async -> Bool {
        let clock = ContinuousClock()
        let end = clock.now + limit
        // Idle once every attempt is out of the table: its job ended and its end is written.
        while !table.withLock({ $0.attempts.isEmpty }) {
            if clock.now >= end { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    /// Runs a blocking call on a thread of its own, off the cooperative pool.
    static func offPool(_ body: @escaping @Sendable () -> Void) async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            startThread(name: "worker-blocking") { body(); c.resume() }
        }
    }
}
