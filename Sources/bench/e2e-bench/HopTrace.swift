import Foundation

/// Where a round trip's time goes: the times an execution records, in order, and the
/// client's own send and receive (the same host, so the same wall clock as Redis').
/// Redis' times are whole milliseconds; the mean of many round trips resolves hops
/// shorter than one, which a single one cannot.
struct HopTrace {
    static let hops: [(name: String, from: String, to: String)] = [
        ("post → created (HTTP in, admission, create script)", "sent", "created"),
        ("created → dispatched (wake-up, claim script)", "created", "dispatched"),
        ("dispatched → started (dispatch call, start script)", "dispatched", "started"),
        ("started → finished (the job, and its end written)", "started", "finished"),
        ("finished → answer received (event watcher, long poll, HTTP out)", "finished", "received"),
    ]
    private var sums = [Double](repeating: 0, count: hops.count)
    private var n = 0

    mutating func add(answer: [UInt8], sent: Double, received: Double) {
        guard let o = try? JSONSerialization.jsonObject(with: Data(answer)) as? [String: Any],
              let e = o["execution"] as? [String: Any] else { return }
        // Whole milliseconds, as Redis' times are: then every hop's mean is unbiased.
        var times: [String: Double] = ["sent": sent.rounded(.down), "received": received.rounded(.down)]
        for k in ["created", "dispatched", "started", "finished"] { times[k] = (e[k] as? NSNumber)?.doubleValue }
        guard Self.hops.allSatisfy({ times[$0.from] != nil && times[$0.to] != nil }) else { return }
        for (i, h) in Self.hops.enumerated() { sums[i] += times[h.to]! - times[h.from]! }
        n += 1
    }

    func print() {
        guard n > 0 else { Swift.print("trace: no round trip recorded every time"); return }
        for (i, h) in Self.hops.enumerated() {
            Swift.print(String(format: "trace mean_ms=%7.3f  %@", sums[i] / Double(n), h.name))
        }
        Swift.print(String(format: "trace round_trips=%d total_mean_ms=%.3f", n, sums.reduce(0, +) / Double(n)))
    }
}
