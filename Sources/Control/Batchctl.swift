import BatchCore
import Foundation
import Glibc

/// The `batchctl` program: parse, resolve the configuration, run one command, and
/// map whatever went wrong to an exit status and one line on stderr.
public enum Batchctl {
    /// Runs the command line and returns the exit status.
    public static func main(arguments: [String], environment: [String: String]) -> Int32 {
        if arguments.prefix(while: { $0 != "--" }).contains("--version") {
            ProcessExit.write("batchctl \(batchVersion)\n", to: 1)
            return 0
        }
        let parsed: ParsedCommand
        do { parsed = try BatchctlSpec.spec.parse(arguments) } catch {
            ProcessExit.write(error.description + "\n", to: 2)
            return 2
        }
        if parsed.helpRequested {
            ProcessExit.write(BatchctlSpec.spec.helpText(for: Array(parsed.path.dropFirst())), to: 1)
            return 0
        }
        let out = Output(style: .detect(environment: environment, isTerminal: isatty(1) == 1))
        do {
            let context = try ControlContext(configuration: resolve(parsed, environment), environment: environment,
                                             out: out, times: .system)
            try run(parsed, context)
            return 0
        } catch {
            ProcessExit.write(error.description + "\n", to: 2)
            return error.exitStatus
        }
    }

    static func resolve(_ parsed: ParsedCommand, _ environment: [String: String]) throws(ControlError) -> Configuration {
        do {
            return try Configuration.resolve(configPath: parsed.value(CommonOptions.config), environment: environment,
                                             flags: CommonOptions.overrides(from: parsed), validators: .standard)
        } catch {
            // One line per problem, each naming its file and line, as compilers print them.
            let problems = error.description.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            throw .config((problems + ["fix the settings above or pass another --config"]).joined(separator: "\nbatchctl: "))
        }
    }

    /// Runs the chosen command's handler, as its declaration names it.
    static func run(_ p: ParsedCommand, _ c: ControlContext) throws(ControlError) {
        guard let run = BatchctlSpec.spec.command(at: Array(p.path.dropFirst()))?.run else {
            throw .usage(UsageError("no command \(p.subcommand)", command: "batchctl"))
        }
        do { try run(p, c) } catch let error as ControlError { throw error } catch {
            throw .failed("\(error)")
        }
    }
}

/// The commands, one function each, in `Commands+Concern.swift` files.
enum Commands {
    /// Runs a check of the command line, mapping its error to exit 2.
    static func usage<T>(_ body: () throws(UsageError) -> T) throws(ControlError) -> T {
        do { return try body() } catch { throw .usage(error) }
    }

    static func usageError(_ p: ParsedCommand, _ message: String) -> ControlError {
        .usage(UsageError(message, command: p.path.joined(separator: " ")))
    }
}
