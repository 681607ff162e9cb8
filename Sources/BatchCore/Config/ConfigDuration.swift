import Platform
/// Durations as the configuration writes them: `500ms`, `30s`, `10m`, `2h`, `1d`,
/// a bare number of seconds, decimals (`1.5s`) and sums (`1h30m`).
public enum ConfigDuration {
    private static let units: [(suffix: String, nanos: Double)] = [
        ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9), ("d", 86400e9),
    ]

    /// The duration `text` stands for, or nil when it is not a duration (negative ones included).
    public static func parse(_ text: String) -> Duration? {
        let s = Array(text.trimmingWhitespace().utf8)
        guard !s.isEmpty else { return nil }
        if let bare = Double(String(decoding: s, as: UTF8.self)) {
            return bare >= 0 && bare.isFinite ? nanos(bare * 1e9) : nil
        }
        var i = 0
        var total = 0.0
        while i < s.count {
            let numStart = i
            while i < s.count, (s[i] >= UInt8(ascii: "0") && s[i] <= UInt8(ascii: "9")) || s[i] == UInt8(ascii: ".") { i += 1 }
            guard i > numStart, let number = Double(String(decoding: s[numStart..<i], as: UTF8.self)) else { return nil }
            let unitStart = i
            while i < s.count, s[i] >= UInt8(ascii: "a"), s[i] <= UInt8(ascii: "z") { i += 1 }
            let unit = String(decoding: s[unitStart..<i], as: UTF8.self)
            guard let factor = units.first(where: { $0.suffix == unit })?.nanos else { return nil }
            total += number * factor
        }
        return total.isFinite && total < 9.2e18 ? nanos(total) : nil
    }

    private static func nanos(_ n: Double) -> Duration? {
        guard n < 9.2e18 else { return nil }
        return .nanoseconds(Int64(n.rounded()))
    }

    /// The shortest exact config spelling of `d`: `10m`, `1500ms`, `0s`.
    public static func format(_ d: Duration) -> String {
        let ms = d.inMilliseconds
        if ms == 0 { return "0s" }
        for (suffix, nanos) in units.reversed() {
            let unitMs = Int64(nanos / 1e6)
            if ms % unitMs == 0 { return "\(ms / unitMs)\(suffix)" }
        }
        return "\(ms)ms"
    }
}

/// Sizes as the configuration writes them: `512` bytes, `64KiB`, `1MiB`, `10MB` (decimal), `1GiB`.
public enum ByteSize {
    private static let units: [(suffix: String, factor: Int)] = [
        ("b", 1), ("kb", 1000), ("kib", 1024), ("mb", 1_000_000), ("mib", 1 << 20),
        ("gb", 1_000_000_000), ("gib", 1 << 30),
    ]

    /// The number of bytes `text` stands for, or nil when it is not a size.
    public static func parse(_ text: String) -> Int? {
        let t = text.trimmingWhitespace()
        let digits = t.prefix(while: { $0.isASCII && $0.isNumber })
        guard !digits.isEmpty, let n = Int(digits) else { return nil }
        let unit = t.dropFirst(digits.count).trimmingWhitespace().lowercased()
        if unit.isEmpty { return n }
        guard let factor = units.first(where: { $0.suffix == unit })?.factor else { return nil }
        let (product, overflow) = n.multipliedReportingOverflow(by: factor)
        return overflow ? nil : product
    }

    /// The shortest exact binary spelling: `64KiB`, `1MiB`, `1000` bytes stay `1000`.
    public static func format(_ bytes: Int) -> String {
        for (suffix, factor) in [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1024)] where bytes != 0 && bytes % factor == 0 {
            return "\(bytes / factor)\(suffix)"
        }
        return "\(bytes)"
    }
}
