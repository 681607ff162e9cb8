extension MetricsRegistry {
    /// The Prometheus text exposition format 0.0.4, families sorted by name.
    /// Serve it as `text/plain; version=0.0.4; charset=utf-8`.
    public func render() -> String {
        var out = ""
        out.reserveCapacity(16384)
        for family in collect() {
            out += "# HELP "; out += family.name; out += " "; out += PrometheusText.escapeHelp(family.help)
            out += "\n# TYPE "; out += family.name; out += " "; out += family.type.rawValue; out += "\n"
            for (values, value) in family.series {
                // The label pairs are spelled once per series and reused for every line of it.
                let pairs = PrometheusText.labelPairs(family.labelNames, values)
                switch value {
                case .scalar(let v):
                    PrometheusText.appendSample(&out, family.name, "", pairs, extra: nil, v)
                case .histogram(let r):
                    for (i, c) in r.cumulative.enumerated() {
                        let le = i < r.upperBounds.count ? PrometheusText.number(r.upperBounds[i]) : "+Inf"
                        PrometheusText.appendSample(&out, family.name, "_bucket", pairs, extra: le, Double(c))
                    }
                    PrometheusText.appendSample(&out, family.name, "_sum", pairs, extra: nil, r.sum)
                    PrometheusText.appendSample(&out, family.name, "_count", pairs, extra: nil, Double(r.count))
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
    /// `a="x",b="y"` with escaped values; empty without labels.
    static func labelPairs(_ names: [String], _ values: [String]) -> String {
        var s = ""
        for (i, (k, v)) in zip(names, values).enumerated() {
            if i > 0 { s += "," }
            s += k; s += "=\""; s += escapeLabelValue(v); s += "\""
        }
        return s
    }

    /// One sample line; `extra` is the `le` value of a bucket line.
    static func appendSample(_ out: inout String, _ name: String, _ suffix: String, _ pairs: String,
                             extra le: String?, _ value: Double) {
        out += name
        out += suffix
        if !pairs.isEmpty || le != nil {
            out += "{"
            out += pairs
            if let le {
                if !pairs.isEmpty { out += "," }
                out += "le=\""; out += le; out += "\""
            }
            out += "}"
        }
        out += " "
        out += number(value)
        out += "\n"
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
