import HTTP

/// Reads one value from a daemon's `/metrics`.
struct MetricsProbe {
    let port: Int
    let client = HTTPClient(connectTimeout: .seconds(1), requestTimeout: .seconds(2))

    /// The value of the series written exactly `series` (name and labels), nil when absent or unreachable.
    func metric(_ series: String) -> Double? {
        guard let text = try? client.get("http://127.0.0.1:\(port)/metrics").text else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }
}

extension MetricsProbe {
    /// The upper bound of the bucket holding quantile `q` of a histogram without labels, nil when absent.
    func histogramQuantile(_ name: String, _ q: Double) -> Double? {
        guard let text = try? client.get("http://127.0.0.1:\(port)/metrics").text else { return nil }
        var buckets: [(Double, Double)] = []
        for line in text.split(separator: "\n") where line.hasPrefix(name + "_bucket{le=\"") {
            let rest = line.dropFirst(name.count + 12)
            guard let quote = rest.firstIndex(of: "\""), let space = rest.lastIndex(of: " ") else { continue }
            let le = rest[..<quote] == "+Inf" ? Double.infinity : Double(rest[..<quote]) ?? .infinity
            buckets.append((le, Double(rest[rest.index(after: space)...]) ?? 0))
        }
        guard let total = buckets.last?.1, total > 0 else { return nil }
        return buckets.first { $0.1 >= q * total }?.0
    }
}
