/// One option of a command: a flag (`--json`) or an option with a value (`--state S`,
/// `-s S`, `--state=S`), possibly repeatable (`--param K=V ...`).
public struct OptionSpec: Sendable, Hashable {
    /// The long name without dashes: `state`.
    public var long: String
    public var short: Character?
    /// The value's placeholder in help (`S`, `URL`); nil for a flag.
    public var valueName: String?
    public var help: String
    /// Shown in help; the parser does not fill it in (the program's configuration does).
    public var defaultValue: String?
    public var repeatable: Bool

    public var isFlag: Bool { valueName == nil }

    /// A switch that takes no value.
    public static func flag(_ long: String, short: Character? = nil, help: String) -> OptionSpec {
        OptionSpec(long: long, short: short, valueName: nil, help: help, defaultValue: nil, repeatable: false)
    }

    /// An option that takes a value.
    public static func value(_ long: String, short: Character? = nil, _ valueName: String, help: String,
                             default defaultValue: String? = nil, repeatable: Bool = false) -> OptionSpec {
        OptionSpec(long: long, short: short, valueName: valueName, help: help, defaultValue: defaultValue, repeatable: repeatable)
    }
}

/// A positional argument.
public struct ArgumentSpec: Sendable, Hashable {
    /// Shown in usage: `JOB`, `ID`.
    public var name: String
    public var help: String
    public var isOptional: Bool
    /// Takes every remaining positional (at least one unless optional); only the last may be.
    public var isVariadic: Bool

    public static func required(_ name: String, help: String) -> ArgumentSpec {
        ArgumentSpec(name: name, help: help, isOptional: false, isVariadic: false)
    }

    public static func optional(_ name: String, help: String) -> ArgumentSpec {
        ArgumentSpec(name: name, help: help, isOptional: true, isVariadic: false)
    }

    /// `ID...`: one or more (zero or more when `optional`).
    public static func variadic(_ name: String, help: String, optional: Bool = false) -> ArgumentSpec {
        ArgumentSpec(name: name, help: help, isOptional: optional, isVariadic: true)
    }
}

/// A command, its options, arguments and subcommands, declared once; parsing, usage
/// errors and `--help` all come from the declaration.
public struct CommandSpec: Sendable {
    public var name: String
    /// One line: what the command does.
    public var abstract: String
    /// More text for `--help`, after the abstract.
    public var discussion: String?
    /// Options of this command; subcommands accept them too.
    public var options: [OptionSpec]
    public var arguments: [ArgumentSpec]
    public var subcommands: [CommandSpec]
    /// Whether a subcommand must be given when there are any (`batchctl breakers` alone lists).
    public var requiresSubcommand: Bool

    public init(name: String, abstract: String, discussion: String? = nil, options: [OptionSpec] = [],
                arguments: [ArgumentSpec] = [], subcommands: [CommandSpec] = [], requiresSubcommand: Bool? = nil) {
        precondition(arguments.dropLast().allSatisfy { !$0.isVariadic }, "only the last argument of \(name) may be variadic")
        precondition(!(arguments.isEmpty == false && subcommands.isEmpty == false),
                     "\(name): a command takes either arguments or subcommands")
        self.name = name; self.abstract = abstract; self.discussion = discussion; self.options = options
        self.arguments = arguments; self.subcommands = subcommands
        self.requiresSubcommand = requiresSubcommand ?? !subcommands.isEmpty
    }

    /// The subcommand at `path` below this one (empty path: this one).
    public func command(at path: [String]) -> CommandSpec? {
        var c = self
        for name in path {
            guard let next = c.subcommands.first(where: { $0.name == name }) else { return nil }
            c = next
        }
        return c
    }
}

/// A usage error: one line saying what was wrong, and where to read more. Programs exit 2.
public struct UsageError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was wrong: `unknown option '--sate' (did you mean '--state'?)`.
    public var message: String
    /// The command whose help explains it: `batchctl list`.
    public var command: String

    public init(_ message: String, command: String) {
        self.message = message; self.command = command
    }

    /// `batchctl: unknown option '--sate' (did you mean '--state'?); see 'batchctl list --help'`
    public var description: String {
        let program = command.split(separator: " ").first.map(String.init) ?? command
        return "\(program): \(message); see '\(command) --help'"
    }
}
