extension MetricsRegistry {
    /// The Prometheus text exposition format 0.0.4, families sorted by name.
    /// Serve it as `text/plain; version=0.0.4; charset=utf-8`.
    public func render() -> String {
        var out = ""
        out.reserveCapacity(4096)
        for family in collect() {
            out += "# HELP \(family.name) \(PrometheusText.escapeHelp(family.help))\n"
            out += "# TYPE \(family.name) \(family.type.rawValue)\n"
            for (values, value) in family.series {
                switch value {
                case .scalar(let v):
                    out += PrometheusText.sample(family.name, labelNames: family.labelNames, values: values, value: v)
                case .histogram(let r):
                    for (i, c) in r.cumulative.enumerated() {
                        let le = i < r.upperBounds.count ? PrometheusText.number(r.upperBounds[i]) : "+Inf"
                        out += PrometheusText.sample(family.name + "_bucket", labelNames: family.labelNames + ["le"],
                                                     values: values + [le], value: Double(c))
                    }
                    out += PrometheusText.sample(family.name + "_sum", labelNames: family.labelNames,
                                                 values: values, value: r.sum)
                    out += PrometheusText.sample(family.name + "_count", labelNames: family.labelNames,
                                                 values: values, value: Double(r.count))
                }
            }
        }
        return out
    }

    /// The content type to serve `render()` with.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"
}

/// Spelling rules of the text format.
public enum PrometheusText {
    static func sample(_ name: String, labelNames: [String], values: [String], value: Double) -> String {
        seriesKey(name, labelNames: labelNames, values: values) + " " + number(value) + "\n"
    }

    /// `name{a="x",b="y"}`, or just `name` without labels; also the key format of snapshots.
    public static func seriesKey(_ name: String, labelNames: [String], values: [String]) -> String {
        guard !labelNames.isEmpty else { return name }
        var s = name + "{"
        for (i, (k, v)) in zip(labelNames, values).enumerated() {
            if i > 0 { s += "," }
            s += k + "=\"" + escapeLabelValue(v) + "\""
        }
        return s + "}"
    }

    /// Backslash, double quote and line feed are escaped in label values.
    public static func escapeLabelValue(_ v: String) -> String {
        guard v.contains(where: { $0 == "\\" || $0 == "\"" || $0 == "\n" }) else { return v }
        var out = ""
        for c in v.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// Backslash and line feed are escaped in HELP text.
    static func escapeHelp(_ v: String) -> String {
        var out = ""
        for c in v.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// Integers without a fraction, `+Inf`/`-Inf`/`NaN` as Go spells them.
    public static func number(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v == .infinity { return "+Inf" }
        if v == -.infinity { return "-Inf" }
        if v == v.rounded(), abs(v) < 9.0e15 { return String(Int64(v)) }
        return String(v)
    }
}
