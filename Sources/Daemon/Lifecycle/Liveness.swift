import Dispatch
import Synchronization

/// A loop's sign of life: the loop touches it every round; it goes stale when the loop
/// has not come round for longer than `within` (wedged, deadlocked, stuck in a call
/// without a timeout). A loop that waits for Redis with a timeout and retries still
/// comes round, so an outage of Redis does not make it stale.
public final class Heartbeat: Sendable {
    public let name: String
    let limitNanos: UInt64
    private let last: Atomic<UInt64>

    public init(_ name: String, within: Duration) {
        self.name = name
        let c = within.components
        limitNanos = UInt64(max(0, c.seconds)) * 1_000_000_000 + UInt64(max(0, c.attoseconds / 1_000_000_000))
        last = Atomic(DispatchTime.now().uptimeNanoseconds)
    }

    /// The loop came round.
    public func touch() { last.store(DispatchTime.now().uptimeNanoseconds, ordering: .relaxed) }

    /// How long since the last touch, in nanoseconds.
    func silence(now: UInt64) -> UInt64 {
        let l = last.load(ordering: .relaxed)
        return now > l ? now - l : 0
    }
}

/// Whether this process works: the heartbeats of its loops. `/livez` and the systemd
/// watchdog ask it; neither asks Redis, whose outage is a matter of readiness (`/readyz`).
public final class Liveness: Sendable {
    private let beats = Mutex<[Heartbeat]>([])

    public init() {}

    /// Watches `beat` from now on.
    public func add(_ beat: Heartbeat) {
        beat.touch()
        beats.withLock { $0.append(beat) }
    }

    /// A new heartbeat, watched from now on.
    public func register(_ name: String, within: Duration) -> Heartbeat {
        let b = Heartbeat(name, within: within)
        add(b)
        return b
    }

    /// The loops silent for longer than their limit, with their silence in milliseconds.
    public func stale() -> [(name: String, silentMillis: UInt64)] {
        let now = DispatchTime.now().uptimeNanoseconds
        return beats.withLock { all in
            all.compactMap { b in
                let s = b.silence(now: now)
                return s > b.limitNanos ? (b.name, s / 1_000_000) : nil
            }
        }
    }
}
