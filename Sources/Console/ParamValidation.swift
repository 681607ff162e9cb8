import Foundation

/// Checks a parameter value against its declaration before it is sent, with the rules
/// of DESIGN.md §7 (the gateway checks again; this only spares a round trip).
enum ParamValidation {
    /// nil when `value` is acceptable, else what is wrong, in words for the form.
    static func problem(_ value: String, for p: ParamInfo) -> String? {
        if value.isEmpty { return p.required ? "\(p.name) is required" : nil }
        if let max = p.maxLength, value.count > max { return "\(p.name) is longer than \(max) characters" }
        let hint = p.typeHint.trimmingCharacters(in: .whitespaces)
        let (kind, rest) = split(hint)
        switch kind {
        case "int":
            guard let n = Int(value) else { return "\(p.name) must be a whole number" }
            if let (lo, hi) = range(rest), !(lo...hi).contains(n) { return "\(p.name) must be between \(lo) and \(hi)" }
            return nil
        case "enum":
            let options = rest.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            return options.contains(value) ? nil : "\(p.name) must be one of \(options.joined(separator: ", "))"
        case "pattern":
            // As a whole, like the gateway's check: anchors in the pattern do no harm.
            guard let re = try? NSRegularExpression(pattern: "^(?:" + rest + ")$") else { return nil }  // the gateway will judge
            let whole = NSRange(value.startIndex..., in: value)
            return re.firstMatch(in: value, range: whole) == nil ? "\(p.name) does not match \(rest)" : nil
        default:
            return nil
        }
    }

    private static func split(_ hint: String) -> (String, String) {
        guard let sp = hint.firstIndex(of: " ") else { return (hint, "") }
        return (String(hint[..<sp]), hint[hint.index(after: sp)...].trimmingCharacters(in: .whitespaces))
    }

    /// `MIN..MAX` (either may be negative).
    private static func range(_ s: String) -> (Int, Int)? {
        let parts = s.components(separatedBy: "..")
        guard parts.count == 2, let lo = Int(parts[0]), let hi = Int(parts[1]), lo <= hi else { return nil }
        return (lo, hi)
    }
}
