import BatchCore

/// The header's derived numbers, computed from what the store counts, so that
/// every batchtop (and every refresh) agrees without keeping history of its own.
enum LiveMeters {
    /// Throughput is measured over the last minute.
    static let throughputWindowMillis: Int64 = 60_000
    /// Success rate is measured over the last ten minutes: long enough to mean
    /// something on a quiet fleet, short enough to show a fresh outage.
    static let successWindowMillis: Int64 = 600_000
    /// p95 run time is taken over at most this many of the most recent ends.
    static let runTimeSample = 200

    /// Executions ended per second in a window, from the ends counted in it.
    static func throughput(ended: [ExecutionState: Int], windowMillis: Int64) -> Double {
        guard windowMillis > 0 else { return 0 }
        let total = ended.filter { $0.key.isTerminal }.values.reduce(0, +)
        return Double(total) * 1000 / Double(windowMillis)
    }

    /// succeeded / (succeeded + failed + timed_out); cancels are an operator's
    /// choice, not an outcome of the work. nil when nothing of the kind ended.
    static func successRate(ended: [ExecutionState: Int]) -> Double? {
        let ok = ended[.succeeded] ?? 0
        let all = ok + (ended[.failed] ?? 0) + (ended[.timedOut] ?? 0)
        return all == 0 ? nil : Double(ok) / Double(all)
    }

    /// The 95th percentile (nearest rank) of run times in ms, in seconds; nil for none.
    static func p95Seconds(_ runMillis: [Int64]) -> Double? {
        guard !runMillis.isEmpty else { return nil }
        let sorted = runMillis.sorted()
        let rank = Int((0.95 * Double(sorted.count)).rounded(.up))
        return Double(sorted[max(0, min(sorted.count, rank) - 1)]) / 1000
    }
}
