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

    /// The same option as one command shows it: its own help and default. It reads as the
    /// same option (see `ParsedCommand.declares`).
    public func described(_ help: String, default defaultValue: String? = nil) -> OptionSpec {
        var o = self
        o.help = help
        o.defaultValue = defaultValue
        return o
    }

    /// Whether `other` is this option, whatever help or default either shows.
    public func isSameOption(as other: OptionSpec) -> Bool {
        long == other.long && isFlag == other.isFlag
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
    /// What shell completion offers for it (batchctl: `jobs`, `ids`, `workers`, `schedules`); nil for nothing.
    public var completes: String?

    public static func required(_ name: String, help: String, completes: String? = nil) -> ArgumentSpec {
        ArgumentSpec(name: name, help: help, isOptional: false, isVariadic: false, completes: completes)
    }

    public static func optional(_ name: String, help: String, completes: String? = nil) -> ArgumentSpec {
        ArgumentSpec(name: name, help: help, isOptional: true, isVariadic: false, completes: completes)
    }

    /// `ID...`: one or more (zero or more when `optional`).
    public static func variadic(_ name: String, help: String, optional: Bool = false, completes: String? = nil) -> ArgumentSpec {
        ArgumentSpec(name: name, help: help, isOptional: optional, isVariadic: true, completes: completes)
    }
}

/// A command, its options, arguments, subcommands and what runs it, declared once;
/// parsing, usage errors, `--help` and dispatch all come from the declaration.
///
/// `Handler` is what the program runs for a chosen command (`run`); a program that
/// has no commands to dispatch (a daemon, batchtop) declares `CommandSpec<Never>`.
public struct CommandSpec<Handler> {
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
    /// What runs when this command is chosen; nil for one that only groups subcommands.
    public var run: Handler?

    /// - Parameter run: what runs the command; every command names it, nil only for a
    ///   group whose subcommands do the work.
    public init(name: String, abstract: String, discussion: String? = nil, options: [OptionSpec] = [],
                arguments: [ArgumentSpec] = [], subcommands: [CommandSpec] = [], requiresSubcommand: Bool? = nil,
                run: Handler?) {
        precondition(arguments.dropLast().allSatisfy { !$0.isVariadic }, "only the last argument of \(name) may be variadic")
        precondition(!(arguments.isEmpty == false && subcommands.isEmpty == false),
                     "\(name): a command takes either arguments or subcommands")
        self.name = name; self.abstract = abstract; self.discussion = discussion; self.options = options
        self.arguments = arguments; self.subcommands = subcommands
        self.requiresSubcommand = requiresSubcommand ?? !subcommands.isEmpty
        self.run = run
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

    /// Every command from this one down, depth first, with its path below this one and
    /// the options it accepts (its own and its parents').
    public func walk() -> [(path: [String], command: CommandSpec, options: [OptionSpec])] {
        var out: [(path: [String], command: CommandSpec, options: [OptionSpec])] = []
        func visit(_ c: CommandSpec, _ path: [String], inherited: [OptionSpec]) {
            let options = inherited + c.options
            out.append((path, c, options))
            for s in c.subcommands { visit(s, path + [s.name], inherited: options) }
        }
        visit(self, [], inherited: [])
        return out
    }
}

extension CommandSpec: Sendable where Handler: Sendable {}

extension CommandSpec where Handler == Never {
    /// A command of a program that dispatches nothing: it only parses.
    public init(name: String, abstract: String, discussion: String? = nil, options: [OptionSpec] = [],
                arguments: [ArgumentSpec] = [], subcommands: [CommandSpec] = [], requiresSubcommand: Bool? = nil) {
        self.init(name: name, abstract: abstract, discussion: discussion, options: options, arguments: arguments,
                  subcommands: subcommands, requiresSubcommand: requiresSubcommand, run: nil)
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
