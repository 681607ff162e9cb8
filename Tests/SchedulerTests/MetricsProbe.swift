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
