import BatchCore
import Foundation
import Schedule
import Synchronization

/// Redis time as seen from this host: the local clock plus an offset measured
/// from `TIME`, so schedulers on skewed hosts plan the same instants (DESIGN.md §4.6).
final class RedisClock: Sendable {
    private let offsetMs = Atomic<Int64>(0)
    private let local: @Sendable () -> Int64

    init(local: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }) {
        self.local = local
    }

    var offset: Int64 { offsetMs.load(ordering: .relaxed) }

    func now() -> Instant { Instant(millisecondsSinceEpoch: local() + offset) }

    /// Measures the offset with one `TIME` call, taking the midpoint of the round trip.
    func calibrate(_ redisTime: () throws -> Int64) rethrows {
        let before = local()
        let remote = try redisTime()
        let after = local()
        offsetMs.store(remote - (before + after) / 2, ordering: .relaxed)
    }
}
