import BatchCore

/// Colour by role, only when standard output is a terminal and `NO_COLOR` is unset
/// (https://no-color.org): scripts and pipes get plain text.
struct Style: Sendable {
    let enabled: Bool

    init(enabled: Bool) { self.enabled = enabled }

    /// Colour on a terminal, never with `NO_COLOR` set to a value (no-color.org: an empty
    /// one does not count) or `TERM=dumb`.
    static func detect(environment: [String: String], isTerminal: Bool) -> Style {
        Style(enabled: isTerminal && (environment["NO_COLOR"] ?? "").isEmpty && environment["TERM"] != "dumb")
    }

    enum Role: Sendable {
        case good, bad, warn, active, dim, heading
        var code: String {
            switch self {
            case .good: return "32"
            case .bad: return "31"
            case .warn: return "33"
            case .active: return "36"
            case .dim: return "2"
            case .heading: return "1"
            }
        }
    }

    func paint(_ text: String, _ role: Role?) -> String {
        guard enabled, let role, !text.isEmpty else { return text }
        return "\u{1B}[\(role.code)m\(text)\u{1B}[0m"
    }

    /// The role of a state word (`succeeded`, `failed`, `running`, `open`, ...).
    static func role(of word: String) -> Role? {
        switch word {
        case "succeeded", "closed", "yes", "live": return .good
        case "failed", "timed_out", "open", "forced_open", "poison": return .bad
        case "cancelled", "cancelling", "retrying", "half_open", "paused", "disabled": return .warn
        case "running", "dispatched": return .active
        case "queued", "scheduled", "-": return .dim
        default: return nil
        }
    }
}
