import Synchronization

/// The kind of a metric family, as written on its `# TYPE` line.
public enum MetricType: String, Sendable {
    case counter, gauge, histogram
}

/// All series of one metric name, one per combination of label values.
///
/// Look a series up once with `labels(...)` and keep it: the lookup takes a
/// lock, updating the series afterwards does not.
public final class MetricFamily<Metric: Sendable>: Sendable {
    public let name: String
    public let help: String
    public let labelNames: [String]
    public let type: MetricType
    private let make: @Sendable () -> Metric
    private let series: Mutex<[[String]: Metric]>

    init(name: String, help: String, labelNames: [String], type: MetricType,
         make: @escaping @Sendable () -> Metric) {
        self.name = name
        self.help = help
        self.labelNames = labelNames
        self.type = type
        self.make = make
        // A family without labels has exactly one series, present from the start (value 0).
        self.series = Mutex(labelNames.isEmpty ? [[]: make()] : [:])
    }

    /// The series for these label values, in the order of `labelNames`; created at first use.
    public func labels(_ values: String...) -> Metric { labels(values) }

    public func labels(_ values: [String]) -> Metric {
        precondition(values.count == labelNames.count,
                     "metric \(name) takes \(labelNames.count) label values (\(labelNames)), got \(values.count)")
        return series.withLock { s in
            if let m = s[values] { return m }
            let m = make()
            s[values] = m
            return m
        }
    }

    /// Forgets one series (e.g. a worker that left the fleet).
    public func remove(_ values: String...) {
        _ = series.withLock { $0.removeValue(forKey: values) }
    }

    /// Every series with its label values, sorted by label values.
    public func all() -> [([String], Metric)] {
        let s = series.withLock { $0 }
        return s.sorted { $0.key.lexicographicallyPrecedes($1.key) }.map { ($0.key, $0.value) }
    }
}

public typealias CounterFamily = MetricFamily<Counter>
public typealias GaugeFamily = MetricFamily<Gauge>
public typealias HistogramFamily = MetricFamily<Histogram>

extension MetricFamily where Metric == Counter {
    /// For a family without labels.
    public func inc() { labels([]).inc() }
    public func add(_ amount: Double) { labels([]).add(amount) }
}

extension MetricFamily where Metric == Gauge {
    /// For a family without labels.
    public func set(_ value: Double) { labels([]).set(value) }
    public func inc() { labels([]).inc() }
    public func dec() { labels([]).dec() }
}

extension MetricFamily where Metric == Histogram {
    /// For a family without labels.
    public func observe(_ value: Double) { labels([]).observe(value) }
}
