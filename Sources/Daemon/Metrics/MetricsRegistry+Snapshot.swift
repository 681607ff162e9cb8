extension MetricsRegistry {
    /// The same numbers as `render()`, flattened for the daemon's Redis hash:
    /// `name{labels}` → value. A histogram gives `name_count{…}`, `name_sum{…}`
    /// and, once it has observations, `name_p50{…}`, `name_p95{…}`, `name_p99{…}`.
    /// Keys are spelled by `PrometheusText.seriesKey`.
    public func snapshot() -> [String: Double] {
        var out: [String: Double] = [:]
        for family in collect() {
            for (values, value) in family.series {
                switch value {
                case .scalar(let v):
                    out[PrometheusText.seriesKey(family.name, labelNames: family.labelNames, values: values)] = v
                case .histogram(let r):
                    func key(_ suffix: String) -> String {
                        PrometheusText.seriesKey(family.name + suffix, labelNames: family.labelNames, values: values)
                    }
                    out[key("_count")] = Double(r.count)
                    out[key("_sum")] = r.sum
                    for (suffix, q) in MetricsRegistry.snapshotQuantiles {
                        if let v = r.quantile(q) { out[key(suffix)] = v }
                    }
                }
            }
        }
        return out
    }

    /// The quantiles a snapshot carries for each histogram series.
    public static let snapshotQuantiles: [(suffix: String, quantile: Double)] = [
        ("_p50", 0.5), ("_p95", 0.95), ("_p99", 0.99),
    ]
}
