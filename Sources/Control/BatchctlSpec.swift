import BatchCore

/// What runs one batchctl command, named by the command's declaration. Every handler throws
/// `ControlError` only; the type says `throws` because Swift 6.3 crashes lowering a
/// typed-throws function value kept in a stored property.
typealias CommandHandler = @Sendable (ParsedCommand, ControlContext) throws -> Void

/// batchctl's own options, each declared once: the command table offers them and the
/// commands read them by these names, so a misspelt option does not compile.
enum Option {
    static let json = OptionSpec.flag("json", help: "Print JSON (field names in batchctl(1)) instead of text.")
    static let param = OptionSpec.value("param", short: "p", "KEY=VALUE", help: "A parameter of the job.", repeatable: true)
    static let wait = OptionSpec.flag("wait", short: "w", help: "Print state changes until the execution ends; exit 0 only if it succeeded.")
    static let idempotencyKey = OptionSpec.value("idempotency-key", "KEY", help: "Queue at most one execution for this key (with --params-file: KEY-LINE for each line).")
    static let priority = OptionSpec.value("priority", "P", help: "0 (lowest) to 9 (highest).", default: String(Priority.default))
    static let paramsFile = OptionSpec.value("params-file", "FILE", help: "One execution per line of FILE (- for stdin): a JSON object of parameters, over the --param values; sent 1,000 to a request.")
    static let lines = OptionSpec.value("lines", short: "n", "N", help: "Lines of output to show.")
    static let state = OptionSpec.value("state", short: "s", "STATE", help: "Only executions in this state.")
    static let job = OptionSpec.value("job", short: "j", "JOB", help: "Only executions of this job type.")
    static let limit = OptionSpec.value("limit", short: "l", "N", help: "Show at most N (1-1000).", default: "20")
    static let follow = OptionSpec.flag("follow", short: "f", help: "Print new lines as they arrive until the execution ends.")
    static let from = OptionSpec.value("from", "TIME", help: "Start after this time (ISO 8601; local to --zone without an offset).", default: "now")
    static let count = OptionSpec.value("count", short: "c", "N", help: "How many fire times (1-1000).", default: "5")
    static let at = OptionSpec.value("at", "TIME", help: "Run no earlier than TIME (ISO 8601; local to the machine's zone without an offset): created scheduled, queued at its time.")
    static let runIn = OptionSpec.value("in", "DURATION", help: "Run DURATION from now (15m, 1h30m, 90 for seconds): created scheduled, queued at its time.")
    static let backfillFrom = OptionSpec.value("from", "TIME", help: "The first tick to consider (ISO 8601; local to the schedule's zone without an offset).")
    static let to = OptionSpec.value("to", "TIME", help: "The last tick to consider (ISO 8601, as --from).", default: "now")
    static let dryRun = OptionSpec.flag("dry-run", help: "Print each tick and what would be done; send nothing.")
    static let max = OptionSpec.value("max", "N", help: "Refuse a range of more than N ticks (1-100000).", default: "100")
    static let zone = OptionSpec.value("zone", short: "z", "TZ", help: "Time zone (tz database name).", default: "the machine's zone")

    static let filter = OptionSpec.value("filter", "QUERY", help: "Act on every execution QUERY matches (words as 'batchctl list' takes them) instead of ids.")
    static let filterDryRun = dryRun.described("With --filter: print the matching executions and their count; send nothing.")
    static let maxMatches = max.described("Refuse a --filter that matches more than N executions (1-100000).", default: "1000")

    /// `--lines` as one command shows it.
    static func lines(_ n: Int, _ what: String) -> OptionSpec {
        lines.described("Lines of output to show \(what).", default: String(n))
    }
}

/// The command line of `batchctl` (DESIGN.md §11), declared once: parsing, usage
/// errors, `--help`, dispatch, the man page test and shell completion all come from it.
/// Every command names the function that runs it.
enum BatchctlSpec {
    static let spec: CommandSpec<CommandHandler> = CommandSpec(
        name: "batchctl",
        abstract: "Trigger, cancel, retry and inspect batch executions and the fleet.",
        discussion: "Reads come from Redis; changes go through a live batch-gateway found in Redis.\n"
            + "Exit status: 0 ok, 1 the operation failed, 2 usage, 69 Redis or gateway\n"
            + "unreachable. See batchctl(1).",
        options: CommonOptions.tool + [CommonOptions.tokenFile],
        subcommands: [
            CommandSpec(name: "trigger", abstract: "Queue an execution of a job type; with --wait, follow it to its end.",
                        options: [Option.param, Option.wait, Option.idempotencyKey, Option.priority, Option.paramsFile,
                                  Option.at, Option.runIn, Option.lines(20, "after --wait"), Option.json],
                        arguments: [.required("JOB", help: "The job type.", completes: "jobs")], run: Commands.trigger),
            CommandSpec(name: "cancel", abstract: "Cancel executions (stops running ones).",
                        options: [Option.filter, Option.filterDryRun, Option.maxMatches, Option.json],
                        arguments: [.variadic("ID", help: "Execution ids (none with --filter).", optional: true, completes: "ids")],
                        run: Commands.cancel),
            CommandSpec(name: "retry", abstract: "Run finished executions again, as new executions.",
                        options: [Option.filter, Option.filterDryRun, Option.maxMatches, Option.json],
                        arguments: [.variadic("ID", help: "Execution ids (none with --filter).", optional: true, completes: "ids")],
                        run: Commands.retry),
            CommandSpec(name: "status", abstract: "Show one execution: state, parameters, attempts, output tail.",
                        options: [Option.lines(10, "of the output tail"), Option.json],
                        arguments: [.required("ID", help: "Execution id.", completes: "ids")], run: Commands.status),
            CommandSpec(name: "list", abstract: "List executions, newest first; with a QUERY, those it matches in Redis.",
                        options: [Option.state, Option.job, Option.limit, Option.json],
                        arguments: [.variadic("QUERY", help: "Words: a state, job:NAME, worker:ID, since:1h, text (batchctl(1)).",
                                              optional: true)],
                        run: Commands.list),
            CommandSpec(name: "logs", abstract: "Print an execution's output; with --follow, keep printing until it ends.",
                        options: [Option.follow, Option.lines(100, "first"), Option.json],
                        arguments: [.required("ID", help: "Execution id.", completes: "ids")], run: Commands.logs),
            CommandSpec(name: "stats", abstract: "Counts per state, queue depth, running and throughput.", options: [Option.json],
                        run: Commands.stats),
            CommandSpec(name: "workers", abstract: "List live workers, their load and job types.", options: [Option.json],
                        run: Commands.workers),
            CommandSpec(name: "breakers", abstract: "Show every gateway's circuit breakers, or override one worker's.",
                        options: [Option.json],
                        subcommands: [
                            CommandSpec(name: "force-open", abstract: "Open a worker's breakers in every gateway until force-close or reset.",
                                        arguments: [.required("WORKER", help: "Worker id.", completes: "workers")],
                                        run: { p, c in try Commands.overrideBreaker(p, c, .forceOpen) }),
                            CommandSpec(name: "force-close", abstract: "Close a worker's breakers in every gateway.",
                                        arguments: [.required("WORKER", help: "Worker id.", completes: "workers")],
                                        run: { p, c in try Commands.overrideBreaker(p, c, .forceClose) }),
                            CommandSpec(name: "reset", abstract: "Reset a worker's breakers in every gateway (closed, window emptied).",
                                        arguments: [.required("WORKER", help: "Worker id.", completes: "workers")],
                                        run: { p, c in try Commands.overrideBreaker(p, c, .reset) }),
                        ], requiresSubcommand: false, run: Commands.breakers),
            CommandSpec(name: "schedules", abstract: "List schedules: next and last fire, last outcome, paused.", options: [Option.json],
                        run: Commands.schedules),
            CommandSpec(name: "schedule", abstract: "Pause, resume or trigger a schedule; list a cron expression's next fires.",
                        subcommands: [
                            CommandSpec(name: "pause", abstract: "Stop a schedule firing, for every scheduler.",
                                        arguments: [.required("NAME", help: "Schedule name.", completes: "schedules")],
                                        run: { p, c in try Commands.pause(p, c, true) }),
                            CommandSpec(name: "resume", abstract: "Let a paused schedule fire again.",
                                        arguments: [.required("NAME", help: "Schedule name.", completes: "schedules")],
                                        run: { p, c in try Commands.pause(p, c, false) }),
                            CommandSpec(name: "trigger", abstract: "Fire a schedule's job now, with its parameters.",
                                        options: [Option.json], arguments: [.required("NAME", help: "Schedule name.", completes: "schedules")],
                                        run: Commands.triggerSchedule),
                            CommandSpec(name: "backfill", abstract: "Fire a cron schedule's ticks in a past range that did not fire, once each.",
                                        options: [Option.backfillFrom, Option.to, Option.dryRun, Option.max, Option.json],
                                        arguments: [.required("NAME", help: "Schedule name.", completes: "schedules")],
                                        run: Commands.backfill),
                            CommandSpec(name: "next", abstract: "Print the next fire times of a cron expression.",
                                        options: [Option.from, Option.count, Option.zone, Option.json],
                                        arguments: [.required("EXPR", help: "Cron expression: 6 fields (seconds first), 5 (crontab) or a macro such as @daily; quote it.")],
                                        run: Commands.next),
                        ], run: nil),
            CommandSpec(name: "job", abstract: "Pause or resume a job type's dispatch for every gateway.",
                        subcommands: [
                            CommandSpec(name: "pause", abstract: "Leave the job type's executions queued until it is resumed.",
                                        options: [Option.json], arguments: [.required("JOB", help: "The job type.", completes: "jobs")],
                                        run: { p, c in try Commands.pauseJob(p, c, true) }),
                            CommandSpec(name: "resume", abstract: "Dispatch the job type's executions again.",
                                        options: [Option.json], arguments: [.required("JOB", help: "The job type.", completes: "jobs")],
                                        run: { p, c in try Commands.pauseJob(p, c, false) }),
                        ], run: nil),
            CommandSpec(name: "events", abstract: "Print the newest events; with --follow, keep printing new ones.",
                        options: [Option.follow.described("Keep printing events as they happen (Ctrl-C stops)."),
                                  Option.limit.described("How many recent events to print first (0-10000).", default: "20"),
                                  Option.json], run: Commands.events),
            CommandSpec(name: "completion", abstract: "Print a shell completion script, or names to complete.",
                        subcommands: [
                            CommandSpec(name: "bash", abstract: "Print the bash completion script (source it, or install it).",
                                        run: { _, c in c.out.write(Completion.bashScript(spec: spec)) }),
                            CommandSpec(name: "zsh", abstract: "Print the zsh completion script (source it, or install it as _batchctl).",
                                        run: { _, c in c.out.write(Completion.zshScript(spec: spec)) }),
                            CommandSpec(name: "fish", abstract: "Print the fish completion script (source it, or install it as batchctl.fish).",
                                        run: { _, c in c.out.write(Completion.fishScript(spec: spec)) }),
                            CommandSpec(name: "words", abstract: "Print names from Redis, one a line: jobs, schedules, workers or ids.",
                                        arguments: [.required("KIND", help: "jobs, schedules, workers or ids.")], run: Completion.words),
                        ], run: nil),
        ], run: nil)
}
