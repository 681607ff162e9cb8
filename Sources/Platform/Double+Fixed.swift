extension Double {
    /// The number with exactly `decimals` digits after the point, like `%.3f` for
    /// `fixed(3)` but without Foundation and independent of the C locale (always
    /// a "." point): `1.23456.fixed(3)` is "1.235", `(-0.5).fixed(0)` is "-1".
    /// Halves round away from zero in the decimal scaled value.
    public func fixed(_ decimals: Int) -> String {
        precondition((0...9).contains(decimals), "fixed(\(decimals)): give 0 to 9 decimals")
        guard isFinite else { return isNaN ? "nan" : (self < 0 ? "-inf" : "inf") }
        var scale: Int64 = 1
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (magnitude * Double(scale)).rounded()
        // Beyond Int64 no log line or duration ever goes; plain text keeps it readable.
        guard scaled < 9.0e18 else { return "\(self)" }
        let units = Int64(scaled)
        var text = sign == .minus ? "-" : ""
        text += String(units / scale)
        if decimals > 0 {
            let fraction = String(units % scale)
            text += "." + String(repeating: "0", count: decimals - fraction.count) + fraction
        }
        return text
    }
}
