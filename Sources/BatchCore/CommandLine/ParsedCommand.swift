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
    /// Every option the chosen command accepts: its own and its parents'.
    public var scope: [OptionSpec]
    /// The names of the chosen command's arguments.
    public var argumentNames: [String]

    /// The chosen subcommand below the program, joined by spaces (`schedule next`); empty for none.
    public var subcommand: String { path.dropFirst().joined(separator: " ") }

    /// Whether the chosen command accepts `option`. Reading one it does not is a
    /// mistake in the program (the option was never offered, so it always reads as
    /// not given): every reader asserts this, so a test run that reaches it fails.
    public func declares(_ option: OptionSpec) -> Bool {
        scope.contains { $0.isSameOption(as: option) }
    }

    private func given(_ option: OptionSpec) -> [String]? {
        assert(declares(option), "\(path.joined(separator: " ")) reads --\(option.long), which it does not declare")
        return options[option.long]
    }

    public func flag(_ option: OptionSpec) -> Bool { given(option) != nil }

    /// The value given for an option, nil if it was not given.
    public func value(_ option: OptionSpec) -> String? { given(option)?.last }

    /// Every value of a repeatable option, in order.
    public func values(_ option: OptionSpec) -> [String] { given(option) ?? [] }

    public func argument(_ name: String) -> String? { givenArgument(name)?.first }

    /// The values of a variadic argument.
    public func argumentValues(_ name: String) -> [String] { givenArgument(name) ?? [] }

    private func givenArgument(_ name: String) -> [String]? {
        assert(argumentNames.contains(name), "\(path.joined(separator: " ")) reads argument \(name), which it does not declare")
        return arguments[name]
    }

    private func fail(_ message: String) -> UsageError { UsageError(message, command: path.joined(separator: " ")) }

    /// An option's value as a whole number in `range`.
    public func int(_ option: OptionSpec, in range: ClosedRange<Int> = Int.min...Int.max) throws(UsageError) -> Int? {
        guard let v = value(option) else { return nil }
        guard let n = Int(v) else { throw fail("invalid value '\(v)' for '--\(option.long)': expected a whole number") }
        guard range.contains(n) else { throw fail("invalid value '\(v)' for '--\(option.long)': expected \(range.lowerBound)..\(range.upperBound)") }
        return n
    }

    /// An option's value as a duration (`500ms`, `2s`, `1m`; bare numbers are seconds).
    public func duration(_ option: OptionSpec) throws(UsageError) -> Duration? {
        guard let v = value(option) else { return nil }
        guard let d = ConfigDuration.parse(v) else {
            throw fail("invalid value '\(v)' for '--\(option.long)': expected a duration such as 500ms, 2s or 1m")
        }
        return d
    }

    /// A repeatable `--param K=V` option as a dictionary; a key given twice is an error.
    public func keyValues(_ option: OptionSpec) throws(UsageError) -> [String: String] {
        var out: [String: String] = [:]
        for item in values(option) {
            guard let eq = item.firstIndex(of: "="), eq != item.startIndex else {
                throw fail("invalid value '\(item)' for '--\(option.long)': expected KEY=VALUE")
            }
            let key = String(item[..<eq])
            if out[key] != nil { throw fail("'--\(option.long) \(key)=...' given twice") }
            out[key] = String(item[item.index(after: eq)...])
        }
        return out
    }

    /// One value out of a fixed set.
    public func choice(_ option: OptionSpec, of allowed: [String]) throws(UsageError) -> String? {
        guard let v = value(option) else { return nil }
        guard allowed.contains(v) else {
            let hint = Suggestion.closest(to: v, in: allowed).map { " (did you mean '\($0)'?)" } ?? ""
            throw fail("invalid value '\(v)' for '--\(option.long)': expected one of \(allowed.joined(separator: ", "))\(hint)")
        }
        return v
    }
}
