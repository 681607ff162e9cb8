// batchtop: live console of the batch fleet (man batchtop(1)).
import BatchCore
import Console
import Foundation

/// batchtop's own options, read by these names.
enum Option {
    static let delay = OptionSpec.value("delay", short: "d", "SECONDS", help: "Time between samples, with decimals.", default: "2")
    static let batch = OptionSpec.flag("batch", short: "b", help: "Print plain-text snapshots on standard output instead of the live console.")
    static let iterations = OptionSpec.value("iterations", short: "n", "N", help: "Snapshots to print in batch mode, then exit.", default: "until interrupted")
    static let view = OptionSpec.value("view", short: "v", "VIEW", help: "executions, workers, schedules or events (or 1 to 4).", default: "executions")
    static let filter = OptionSpec.value("filter", short: "f", "TEXT", help: "Start with this filter, as if typed after '/'.")
    static let limit = OptionSpec.value("limit", "N", help: "Most executions read per sample.", default: "500")
    static let lostFor = OptionSpec.value("lost-for", "SECONDS", help: "How long a worker that stopped without a clean stop stays listed as lost.", default: "3600")
    static let readOnly = OptionSpec.flag("read-only", help: "Watch only: every action (trigger, cancel, retry, breakers, schedules) is refused (for shared screens, on-call viewers).")
    static let json = OptionSpec.flag("json", help: "Batch mode, one JSON object a snapshot, each on one line (implies --batch).")
    static let tsv = OptionSpec.flag("tsv", help: "Batch mode as tab-separated values, summary and problems as '#' lines (implies --batch).")
    static let noColor = OptionSpec.flag("no-color", help: "Draw with bold and reverse video only (also when NO_COLOR is set).")
}

let spec = CommandSpec(
    name: "batchtop", abstract: "Live console of the batch fleet: executions, workers, schedules, events.",
    discussion: "Keys: arrows or j/k move, Enter opens, t triggers, c cancels, r retries; on a worker O forces its breaker open, C closed, R resets it; on a schedule P pauses, U resumes, T runs it now; / filters, s sorts, 1-4 switch views, ? help, q quits.",
    options: CommonOptions.tool + [Option.delay, Option.batch, Option.iterations, Option.view, Option.filter, Option.limit,
                                   Option.lostFor, Option.readOnly, Option.json, Option.tsv, Option.noColor, CommonOptions.tokenFile])

let parsed = spec.parseOrExit(Array(CommandLine.arguments.dropFirst()))
if parsed.flag(CommonOptions.version) {
    ProcessExit.write("batchtop \(batchVersion)\n", to: 1)
    ProcessExit.exit(0)
}
let env = ProcessInfo.processInfo.environment

func usage(_ message: String) -> Never {
    ProcessExit.usage(UsageError(message, command: "batchtop"))
}

var options = ConsoleOptions()
var lostFor: Duration = .seconds(3600)
do {
    if let d = parsed.value(Option.delay) { options.delay = try ConsoleOptions.delay(fromSeconds: d) }
    if let v = parsed.value(Option.view) { options.view = try ConsoleView(argument: v) }
} catch {
    usage(error.description)
}
if parsed.flag(Option.json) && parsed.flag(Option.tsv) { ProcessExit.usage(UsageError("--json and --tsv are two forms of batch mode: give one", command: "batchtop")) }
options.batchFormat = parsed.flag(Option.json) ? .json : parsed.flag(Option.tsv) ? .tsv : .text
options.batch = parsed.flag(Option.batch) || options.batchFormat != .text
do {
    options.iterations = try parsed.int(Option.iterations, in: 1...Int.max)
    options.limit = try parsed.int(Option.limit, in: 1...1000) ?? options.limit
    lostFor = .seconds(try parsed.int(Option.lostFor, in: 10...604_800) ?? 3600)
} catch {
    ProcessExit.usage(error)
}
options.filter = parsed.value(Option.filter) ?? ""
options.readOnly = parsed.flag(Option.readOnly)
options.color = !parsed.flag(Option.noColor) && (env["NO_COLOR"] ?? "").isEmpty

let flags = CommonOptions.overrides(from: parsed)
let configuration: Configuration
do {
    configuration = try Configuration.resolve(configPath: parsed.value(CommonOptions.config), environment: env, flags: flags, validators: .standard)
} catch {
    ProcessExit.write("batchtop: \(error)\n", to: 2)
    ProcessExit.exit(2)
}

let source: StoreDataSource
do {
    source = try StoreDataSource(configuration: configuration, user: env["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? "unknown",
                                 lostFor: lostFor)
} catch {
    usage(error.description)
}

// Scripts want a clear failure at once; the live console shows the error and keeps trying.
if options.batch {
    do { try source.checkReachable() } catch {
        ProcessExit.write("batchtop: \(error); start Redis or give --redis URL\n", to: 2)
        ProcessExit.exit(69)
    }
}
ProcessExit.exit(runConsole(options: options, dataSource: source))
