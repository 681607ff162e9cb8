import BatchCore

/// The command line of `batchctl` (DESIGN.md §11), declared once: parsing, usage
/// errors, `--help`, the man page test and bash completion all come from it.
public enum BatchctlSpec {
    static let json = OptionSpec.flag("json", help: "Print JSON (field names in batchctl(1)) instead of text.")

    static func lines(_ n: Int, _ what: String) -> OptionSpec {
        .value("lines", short: "n", "N", help: "Lines of output to show \(what).", default: String(n))
    }

    public static let spec = CommandSpec(
        name: "batchctl",
        abstract: "Trigger, cancel, retry and inspect batch executions and the fleet.",
        discussion: "Reads come from Redis; changes go through a live batch-gateway found in Redis.\n"
            + "Exit status: 0 ok, 1 the operation failed, 2 usage, 69 Redis or gateway\n"
            + "unreachable. See batchctl(1).",
        options: CommonOptions.tool + [
            .value("token-file", "PATH", help: "File holding the gateway's bearer token (env BATCH_TOKEN_FILE)."),
        ],
        subcommands: [
            CommandSpec(name: "trigger", abstract: "Queue an execution of a job type; with --wait, follow it to its end.",
                        options: [
                            .value("param", short: "p", "KEY=VALUE", help: "A parameter of the job.", repeatable: true),
                            .flag("wait", short: "w", help: "Print state changes until the execution ends; exit 0 only if it succeeded."),
                            .value("idempotency-key", "KEY", help: "Queue at most one execution for this key (with --params-file: KEY-LINE for each line)."),
                            .value("priority", "P", help: "0 (lowest) to 9 (highest).", default: String(Priority.default)),
                            .value("params-file", "FILE", help: "One execution per line of FILE (- for stdin): a JSON object of parameters, over the --param values; sent 1,000 to a request."),
                            lines(20, "after --wait"), json,
                        ],
                        arguments: [.required("JOB", help: "The job type.")]),
            CommandSpec(name: "cancel", abstract: "Cancel executions (stops running ones).", options: [json],
                        arguments: [.variadic("ID", help: "Execution ids.")]),
            CommandSpec(name: "retry", abstract: "Run finished executions again, as new executions.", options: [json],
                        arguments: [.variadic("ID", help: "Execution ids.")]),
            CommandSpec(name: "status", abstract: "Show one execution: state, parameters, attempts, output tail.",
                        options: [lines(10, "of the output tail"), json], arguments: [.required("ID", help: "Execution id.")]),
            CommandSpec(name: "list", abstract: "List executions, newest first.",
                        options: [
                            .value("state", short: "s", "STATE", help: "Only executions in this state."),
                            .value("job", short: "j", "JOB", help: "Only executions of this job type."),
                            .value("limit", short: "l", "N", help: "Show at most N (1-1000).", default: "20"),
                            json,
                        ]),
            CommandSpec(name: "logs", abstract: "Print an execution's output; with --follow, keep printing until it ends.",
                        options: [.flag("follow", short: "f", help: "Print new lines as they arrive until the execution ends."),
                                  lines(100, "first"), json],
                        arguments: [.required("ID", help: "Execution id.")]),
            CommandSpec(name: "stats", abstract: "Counts per state, queue depth, running and throughput.", options: [json]),
            CommandSpec(name: "workers", abstract: "List live workers, their load and job types.", options: [json]),
            CommandSpec(name: "breakers", abstract: "Show every gateway's circuit breakers, or override one worker's.",
                        options: [json],
                        subcommands: [
                            CommandSpec(name: "force-open", abstract: "Open a worker's breakers in every gateway until force-close or reset.",
                                        arguments: [.required("WORKER", help: "Worker id.")]),
                            CommandSpec(name: "force-close", abstract: "Close a worker's breakers in every gateway.",
                                        arguments: [.required("WORKER", help: "Worker id.")]),
                            CommandSpec(name: "reset", abstract: "Reset a worker's breakers in every gateway (closed, window emptied).",
                                        arguments: [.required("WORKER", help: "Worker id.")]),
                        ], requiresSubcommand: false),
            CommandSpec(name: "schedules", abstract: "List schedules: next and last fire, last outcome, paused.", options: [json]),
            CommandSpec(name: "schedule", abstract: "Pause, resume or trigger a schedule; list a cron expression's next fires.",
                        subcommands: [
                            CommandSpec(name: "pause", abstract: "Stop a schedule firing, for every scheduler.",
                                        arguments: [.required("NAME", help: "Schedule name.")]),
                            CommandSpec(name: "resume", abstract: "Let a paused schedule fire again.",
                                        arguments: [.required("NAME", help: "Schedule name.")]),
                            CommandSpec(name: "trigger", abstract: "Fire a schedule's job now, with its parameters.",
                                        options: [json], arguments: [.required("NAME", help: "Schedule name.")]),
                            CommandSpec(name: "next", abstract: "Print the next fire times of a cron expression.",
                                        options: [
                                            .value("from", "TIME", help: "Start after this time (ISO 8601; local to --zone without an offset).", default: "now"),
                                            .value("count", short: "c", "N", help: "How many fire times (1-1000).", default: "5"),
                                            .value("zone", short: "z", "TZ", help: "Time zone (tz database name).", default: "the machine's zone"),
                                            json,
                                        ],
                                        arguments: [.required("EXPR", help: "Cron expression: 6 fields (seconds first), 5 (crontab) or a macro such as @daily; quote it.")]),
                        ]),
            CommandSpec(name: "events", abstract: "Print the newest events; with --follow, keep printing new ones.",
                        options: [.flag("follow", short: "f", help: "Keep printing events as they happen (Ctrl-C stops)."),
                                  .value("limit", short: "l", "N", help: "How many recent events to print first (0-10000).", default: "20"),
                                  json]),
            CommandSpec(name: "completion", abstract: "Print a shell completion script, or names to complete.",
                        subcommands: [
                            CommandSpec(name: "bash", abstract: "Print the bash completion script (source it, or install it)."),
                            CommandSpec(name: "zsh", abstract: "Print the zsh completion script (source it, or install it as _batchctl)."),
                            CommandSpec(name: "fish", abstract: "Print the fish completion script (source it, or install it as batchctl.fish)."),
                            CommandSpec(name: "words", abstract: "Print names from Redis, one a line: jobs, schedules, workers or ids.",
                                        arguments: [.required("KIND", help: "jobs, schedules, workers or ids.")]),
                        ]),
        ])
}
