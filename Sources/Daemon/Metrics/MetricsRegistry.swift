import Synchronization

/// Holds a daemon's metrics and renders them for `/metrics` and for the
/// snapshot each daemon writes into Redis.
///
/// ```swift
/// let executions = registry.counter("batch_executions_total", help: "Executions that ended.",
///                                   labels: ["job", "outcome"])
/// executions.labels("report", "succeeded").inc()
/// ```
/// Registering a name again with the same type and labels returns the same
/// family; the same name with another type or labels is a programmer error.
public final class MetricsRegistry: Sendable {
    enum Entry: Sendable {
        case counter(CounterFamily)
        case gauge(GaugeFamily)
        case histogram(HistogramFamily)
        case callback(name: String, help: String, type: MetricType, labelNames: [String],
                      read: @Sendable () -> [([String], Double)])
    }

    private let entries = Mutex<[String: Entry]>([:])
    let includeProcessMetrics: Bool

    /// `includeProcessMetrics` adds the `process_*` families read from /proc/self at render time.
    public init(includeProcessMetrics: Bool = true) {
        self.includeProcessMetrics = includeProcessMetrics
    }

    public func counter(_ name: String, help: String, labels: [String] = []) -> CounterFamily {
        register(name, help: help, labels: labels, type: .counter,
                 wrap: { .counter($0) }, unwrap: { if case .counter(let f) = $0 { f } else { nil } },
                 make: { MetricFamily(name: name, help: help, labelNames: labels, type: .counter, make: { Counter() }) })
    }

    public func gauge(_ name: String, help: String, labels: [String] = []) -> GaugeFamily {
        register(name, help: help, labels: labels, type: .gauge,
                 wrap: { .gauge($0) }, unwrap: { if case .gauge(let f) = $0 { f } else { nil } },
                 make: { MetricFamily(name: name, help: help, labelNames: labels, type: .gauge, make: { Gauge() }) })
    }

    /// Bounds must ascend strictly; `+Inf` is implied and need not be listed.
    public func histogram(_ name: String, help: String, labels: [String] = [],
                          buckets: [Double] = Histogram.defaultBuckets) -> HistogramFamily {
        var bounds = buckets
        if bounds.last == .infinity { bounds.removeLast() }
        precondition(!bounds.isEmpty && zip(bounds, bounds.dropFirst()).allSatisfy { $0 < $1 }
                     && bounds.allSatisfy { $0.isFinite },
                     "histogram \(name): buckets must be finite and strictly ascending, got \(buckets)")
        precondition(!labels.contains("le"), "histogram \(name): the label name le is reserved")
        let upperBounds = bounds
        return register(name, help: help, labels: labels, type: .histogram,
                        wrap: { .histogram($0) }, unwrap: { if case .histogram(let f) = $0 { f } else { nil } },
                        make: { MetricFamily(name: name, help: help, labelNames: labels, type: .histogram,
                                             make: { Histogram(upperBounds: upperBounds) }) })
    }

    /// A gauge whose series are read when the registry renders (queue depth, open breakers...).
    /// `read` must be quick and must not block: it runs inside every scrape.
    public func gauge(_ name: String, help: String, labels: [String] = [],
                      read: @escaping @Sendable () -> [([String], Double)]) {
        addCallback(name, help: help, type: .gauge, labels: labels, read: read)
    }

    /// A gauge without labels whose value is read at render time.
    public func gauge(_ name: String, help: String, value: @escaping @Sendable () -> Double) {
        addCallback(name, help: help, type: .gauge, labels: [], read: { [([], value())] })
    }

    /// A counter kept elsewhere (e.g. in a C library) and read at render time.
    public func counter(_ name: String, help: String, labels: [String] = [],
                        read: @escaping @Sendable () -> [([String], Double)]) {
        addCallback(name, help: help, type: .counter, labels: labels, read: read)
    }

    private func addCallback(_ name: String, help: String, type: MetricType, labels: [String],
                             read: @escaping @Sendable () -> [([String], Double)]) {
        validate(name: name, labels: labels)
        entries.withLock { e in
            precondition(e[name] == nil, "metric \(name) is registered twice")
            e[name] = .callback(name: name, help: help, type: type, labelNames: labels, read: read)
        }
    }

    private func register<F>(_ name: String, help: String, labels: [String], type: MetricType,
                             wrap: (F) -> Entry, unwrap: (Entry) -> F?, make: () -> F) -> F {
        validate(name: name, labels: labels)
        return entries.withLock { e in
            if let existing = e[name] {
                guard let family = unwrap(existing), existing.labelNames == labels else {
                    preconditionFailure("metric \(name) is registered twice with different types or labels")
                }
                return family
            }
            let family = make()
            e[name] = wrap(family)
            return family
        }
    }

    private func validate(name: String, labels: [String]) {
        precondition(MetricName.isValidMetricName(name), "invalid metric name \(name)")
        precondition(!(includeProcessMetrics && name.hasPrefix("process_")),
                     "metric \(name): process_* names belong to the registry's process metrics")
        for l in labels {
            precondition(MetricName.isValidLabelName(l), "metric \(name): invalid label name \(l)")
        }
        precondition(Set(labels).count == labels.count, "metric \(name): duplicate label names \(labels)")
    }

    /// Every family with its current series, sorted by name.
    func collect() -> [CollectedFamily] {
        let current = entries.withLock { $0 }
        var out = current.values.map { $0.collect() }
        if includeProcessMetrics, let stats = try? ProcessStats.read() {
            out += ProcessStats.families(stats)
        }
        out.sort { $0.name < $1.name }
        return out
    }
}

/// One family as read at one moment.
struct CollectedFamily {
    enum Value {
        case scalar(Double)
        case histogram(Histogram.Reading)
    }
    let name: String
    let help: String
    let type: MetricType
    let labelNames: [String]
    let series: [([String], Value)]
}

extension MetricsRegistry.Entry {
    var labelNames: [String] {
        switch self {
        case .counter(let f): return f.labelNames
        case .gauge(let f): return f.labelNames
        case .histogram(let f): return f.labelNames
        case .callback(_, _, _, let l, _): return l
        }
    }

    func collect() -> CollectedFamily {
        switch self {
        case .counter(let f):
            return CollectedFamily(name: f.name, help: f.help, type: .counter, labelNames: f.labelNames,
                                   series: f.all().map { ($0.0, .scalar($0.1.value)) })
        case .gauge(let f):
            return CollectedFamily(name: f.name, help: f.help, type: .gauge, labelNames: f.labelNames,
                                   series: f.all().map { ($0.0, .scalar($0.1.value)) })
        case .histogram(let f):
            return CollectedFamily(name: f.name, help: f.help, type: .histogram, labelNames: f.labelNames,
                                   series: f.all().map { ($0.0, .histogram($0.1.read())) })
        case .callback(let name, let help, let type, let labelNames, let read):
            // A callback may hand back the same label values twice or the wrong
            // number of them; keep the first well-formed one so the output stays valid.
            var seen = Set<[String]>()
            var series: [([String], CollectedFamily.Value)] = []
            for (values, v) in read() where values.count == labelNames.count && seen.insert(values).inserted {
                series.append((values, .scalar(v)))
            }
            series.sort { $0.0.lexicographicallyPrecedes($1.0) }
            return CollectedFamily(name: name, help: help, type: type, labelNames: labelNames, series: series)
        }
    }
}

enum MetricName {
    static func isValidMetricName(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, isAlpha(first) || first == "_" || first == ":" else { return false }
        return s.unicodeScalars.allSatisfy { isAlpha($0) || isDigit($0) || $0 == "_" || $0 == ":" }
    }

    static func isValidLabelName(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, isAlpha(first) || first == "_" else { return false }
        if s.hasPrefix("__") { return false }
        return s.unicodeScalars.allSatisfy { isAlpha($0) || isDigit($0) || $0 == "_" }
    }

    private static func isAlpha(_ c: Unicode.Scalar) -> Bool { (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") }
    private static func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }
}
