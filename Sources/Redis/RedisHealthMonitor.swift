import Platform
import Synchronization

/// A client's `RedisHealth`, shared by its threads, and the probe that finds Redis serving again.
///
/// While Redis is down, the client sends nothing (so a caller can say "nothing was changed" and
/// answer at once); a probe thread, started by the failure that made Redis down, sends `PING` on a
/// connection of its own until Redis answers, then ends. A `PING` waiting on a frozen Redis is
/// answered the moment it resumes, so service comes back without waiting for a retry interval.
final class RedisHealthMonitor: Sendable {
    private struct State {
        var health = RedisHealth()
        var probing = false
        var stopped = false
    }

    private let state = Mutex(State())
    /// Mirrors `health.isDown`, so the calls' fast path reads one atomic.
    private let down = Atomic<Bool>(false)
    private let url: RedisURL
    private let probeOptions: RedisOptions
    /// Pause between probes that failed at once (refused connection, `LOADING`).
    let probeInterval: Duration

    init(url: RedisURL, options: RedisOptions) {
        self.url = url
        var probe = options
        // Connect quickly (a refused port answers at once anyway); a sent PING may wait the whole
        // read timeout: a frozen Redis answers it when it resumes.
        probe.connectTimeout = min(options.connectTimeout, .seconds(1))
        probeOptions = probe
        probeInterval = options.probeInterval
    }

    var snapshot: RedisHealth { state.withLock { $0.health } }

    /// The error to throw instead of sending, while Redis is known to be down.
    func refusal() -> RedisError? {
        guard down.load(ordering: .acquiring) else { return nil }
        let now = ContinuousClock.now
        return state.withLock { $0.health.refusal(at: now) }
    }

    func replied() {
        let now = ContinuousClock.now
        state.withLock { s in
            s.health.replied(at: now)
            down.store(false, ordering: .releasing)
        }
    }

    func failed(_ error: RedisError) {
        guard error.marksRedisDown else { return }
        let now = ContinuousClock.now
        let startProbe = state.withLock { s -> Bool in
            s.health.failed(error, at: now)
            down.store(true, ordering: .releasing)
            guard !s.probing, !s.stopped else { return false }
            s.probing = true
            return true
        }
        if startProbe {
            startThread(name: "redis probe") { [self] in probe() }
        }
    }

    /// Ends the probe (if one runs) at its next turn.
    func stop() {
        state.withLock { $0.stopped = true }
    }

    private func probe() {
        var connection: RedisConnection?
        defer { connection?.close() }
        while true {
            let go = state.withLock { s -> Bool in
                if s.stopped || !s.health.isDown {
                    s.probing = false
                    return false
                }
                return true
            }
            if !go { return }
            do {
                if connection == nil || connection?.isConnected == false {
                    connection?.close()
                    connection = try RedisConnection(url: url, options: probeOptions)
                }
                try connection!.send("PING")
                replied()
            } catch let error as RedisError {
                if error.marksRedisDown { failed(error) }
                sleepBlocking(probeInterval)
            } catch {
                sleepBlocking(probeInterval)
            }
        }
    }
}
