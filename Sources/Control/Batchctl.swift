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
        var flags = CommonOptions.overrides(from: parsed)
        if let t = parsed.value("token-file") { flags["http.token-file"] = t }
        do {
            return try Configuration.resolve(configPath: parsed.value("config"), environment: environment,
                                             flags: flags, validators: .standard)
        } catch {
            // One line per problem, each naming its file and line, as compilers print them.
            let problems = error.description.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            throw .config((problems + ["fix the settings above or pass another --config"]).joined(separator: "\nbatchctl: "))
        }
    }

    static func run(_ p: ParsedCommand, _ c: ControlContext) throws(ControlError) {
        switch p.subcommand {
        case "trigger": try Commands.trigger(p, c)
        case "cancel": try Commands.cancel(p, c)
        case "retry": try Commands.retry(p, c)
        case "status": try Commands.status(p, c)
        case "list": try Commands.list(p, c)
        case "logs": try Commands.logs(p, c)
        case "stats": try Commands.stats(p, c)
        case "workers": try Commands.workers(p, c)
        case "breakers": try Commands.breakers(p, c)
        case "breakers force-open": try Commands.overrideBreaker(p, c, .forceOpen)
        case "breakers force-close": try Commands.overrideBreaker(p, c, .forceClose)
        case "breakers reset": try Commands.overrideBreaker(p, c, .reset)
        case "schedules": try Commands.schedules(p, c)
        case "schedule pause": try Commands.pause(p, c, true)
        case "schedule resume": try Commands.pause(p, c, false)
        case "schedule trigger": try Commands.triggerSchedule(p, c)
        case "schedule next": try Commands.next(p, c)
        case "events": try Commands.events(p, c)
        case "completion bash": c.out.write(Completion.bashScript(spec: BatchctlSpec.spec))
        case "completion zsh": c.out.write(Completion.zshScript(spec: BatchctlSpec.spec))
        case "completion fish": c.out.write(Completion.fishScript(spec: BatchctlSpec.spec))
        case "completion words": try Completion.words(p, c)
        default:
            throw .usage(UsageError("no command \(p.subcommand)", command: "batchctl"))
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
