/// What the parser found: the command path, option values and arguments by name.
public struct ParsedCommand: Sendable {
    /// The program and the subcommands chosen: `["batchctl", "schedule", "next"]`.
    public var path: [String]
    /// `--help` or `-h` was given: print `helpText` and exit 0.
    public var helpRequested: Bool
    /// Values by long option name; a flag given has `["true"]`.
    public var options: [String: [String]]
    /// Values by argument name.
    public var arguments: [String: [String]]
    /// The declaration of the chosen command.
    public var spec: CommandSpec

    /// The chosen subcommand below the program, joined by spaces (`schedule next`); empty for none.
    public var subcommand: String { path.dropFirst().joined(separator: " ") }

    public func flag(_ long: String) -> Bool { options[long] != nil }

    /// The value given for an option, nil if it was not given.
    public func value(_ long: String) -> String? { options[long]?.last }

    /// Every value of a repeatable option, in order.
    public func values(_ long: String) -> [String] { options[long] ?? [] }

    public func argument(_ name: String) -> String? { arguments[name]?.first }

    /// The values of a variadic argument.
    public func argumentValues(_ name: String) -> [String] { arguments[name] ?? [] }

    private func fail(_ message: String) -> UsageError { UsageError(message, command: path.joined(separator: " ")) }

    /// An option's value as a whole number in `range`.
    public func int(_ long: String, in range: ClosedRange<Int> = Int.min...Int.max) throws(UsageError) -> Int? {
        guard let v = value(long) else { return nil }
        guard let n = Int(v) else { throw fail("invalid value '\(v)' for '--\(long)': expected a whole number") }
        guard range.contains(n) else { throw fail("invalid value '\(v)' for '--\(long)': expected \(range.lowerBound)..\(range.upperBound)") }
        return n
    }

    /// An option's value as a duration (`500ms`, `2s`, `1m`; bare numbers are seconds).
    public func duration(_ long: String) throws(UsageError) -> Duration? {
        guard let v = value(long) else { return nil }
        guard let d = ConfigDuration.parse(v) else {
            throw fail("invalid value '\(v)' for '--\(long)': expected a duration such as 500ms, 2s or 1m")
        }
        return d
    }

    /// A repeatable `--param K=V` option as a dictionary; a key given twice is an error.
    public func keyValues(_ long: String) throws(UsageError) -> [String: String] {
        var out: [String: String] = [:]
        for item in values(long) {
            guard let eq = item.firstIndex(of: "="), eq != item.startIndex else {
                throw fail("invalid value '\(item)' for '--\(long)': expected KEY=VALUE")
            }
            let key = String(item[..<eq])
            if out[key] != nil { throw fail("'--\(long) \(key)=...' given twice") }
            out[key] = String(item[item.index(after: eq)...])
        }
        return out
    }

    /// One value out of a fixed set.
    public func choice(_ long: String, of allowed: [String]) throws(UsageError) -> String? {
        guard let v = value(long) else { return nil }
        guard allowed.contains(v) else {
            let hint = Suggestion.closest(to: v, in: allowed).map { " (did you mean '\($0)'?)" } ?? ""
            throw fail("invalid value '\(v)' for '--\(long)': expected one of \(allowed.joined(separator: ", "))\(hint)")
        }
        return v
    }
}
