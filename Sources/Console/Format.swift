import Foundation

/// Numbers, times and durations as the console writes them: short and fixed-width.
enum Format {
    /// `HH:MM:SS` in `zone`.
    static func clock(_ date: Date, _ zone: TimeZone) -> String {
        let c = calendar(zone).dateComponents([.hour, .minute, .second], from: date)
        return String(format: "%02d:%02d:%02d", c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
    }

    /// `MM-DD HH:MM:SS` in `zone`.
    static func dateTime(_ date: Date, _ zone: TimeZone) -> String {
        let c = calendar(zone).dateComponents([.month, .day, .hour, .minute, .second], from: date)
        return String(format: "%02d-%02d %02d:%02d:%02d", c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
    }

    private static func calendar(_ zone: TimeZone) -> Calendar {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = zone
        return cal
    }

    /// A duration in at most two units: `850ms`, `12.3s`, `4m05s`, `2h03m`, `3d04h`.
    static func duration(_ seconds: TimeInterval) -> String {
        let s = max(0, seconds)
        if s < 1 { return "\(Int(s * 1000))ms" }
        if s < 60 { return String(format: "%.1fs", s) }
        let total = Int(s)
        if total < 3600 { return String(format: "%dm%02ds", total / 60, total % 60) }
        if total < 86400 { return String(format: "%dh%02dm", total / 3600, (total % 3600) / 60) }
        return String(format: "%dd%02dh", total / 86400, (total % 86400) / 3600)
    }

    /// A share 0...1 as a percentage with one decimal.
    static func percent(_ fraction: Double) -> String {
        String(format: "%.1f%%", fraction * 100)
    }

    /// A rate per second, two decimals below 100.
    static func rate(_ perSecond: Double) -> String {
        perSecond < 100 ? String(format: "%.2f/s", perSecond) : String(format: "%.0f/s", perSecond)
    }

    /// An execution id in `width` cells: whole when it fits, else its end (the random
    /// part of a ULID tells ids apart; the start is the shared timestamp).
    static func id(_ id: String, width: Int) -> String {
        if id.count <= width { return id }
        guard width > 1 else { return String(id.suffix(max(width, 0))) }
        return "…" + id.suffix(width - 1)
    }
}
