import Synchronization

/// xoshiro256**: a fast generator seeded from the system's random source. On
/// Linux every draw from `SystemRandomNumberGenerator` is a `getrandom` system
/// call; the hot path (an id per execution, two draws per worker choice) draws
/// from this instead. Not for secrets.
public struct FastRandom: RandomNumberGenerator, Sendable {
    private var s0, s1, s2, s3: UInt64

    /// Seeded with 256 bits from the system's random source.
    public init() {
        var system = SystemRandomNumberGenerator()
        repeat {
            s0 = system.next(); s1 = system.next(); s2 = system.next(); s3 = system.next()
        } while s0 | s1 | s2 | s3 == 0
    }

    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// One generator for the process, behind a lock, for callers without one of their own.
    public static func withShared<T>(_ body: (inout FastRandom) -> T) -> T { shared.withLock { body(&$0) } }

    /// A generator of the caller's own, seeded from the shared one: no system call
    /// (seeding from the system's source takes four `getrandom` calls).
    public static func split() -> FastRandom {
        withShared { shared in
            var g = shared
            repeat {
                g.s0 = shared.next(); g.s1 = shared.next(); g.s2 = shared.next(); g.s3 = shared.next()
            } while g.s0 | g.s1 | g.s2 | g.s3 == 0
            return g
        }
    }

    private static let shared = Mutex(FastRandom())
}
