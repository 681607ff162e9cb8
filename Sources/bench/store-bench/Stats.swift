import Foundation

/// Latency samples of one operation.
struct Samples {
    private(set) var nanos: [Int64] = []

    mutating func add(_ d: Duration) {
        let (s, a) = d.components
        nanos.append(s * 1_000_000_000 + a / 1_000_000_000)
    }

    /// The p-th percentile (0...100) in microseconds, nearest rank.
    func percentile(_ p: Double) -> Double {
        precondition(!nanos.isEmpty, "percentile of no samples")
        let sorted = nanos.sorted()
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1
        return Double(sorted[max(0, min(sorted.count - 1, rank))]) / 1_000
    }

    var meanMicros: Double { nanos.isEmpty ? 0 : Double(nanos.reduce(0, +)) / Double(nanos.count) / 1_000 }
}

func fmt(_ x: Double, _ digits: Int = 1) -> String {
    String(format: "%.\(digits)f", x)
}

extension Samples {
    mutating func merge(_ other: Samples) { nanos.append(contentsOf: other.nanos) }
}
