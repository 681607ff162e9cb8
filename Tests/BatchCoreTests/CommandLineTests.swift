import Testing
@testable import BatchCore

/// A command tree shaped like batchctl's.
let ctl = CommandSpec(
    name: "batchctl", abstract: "Trigger, cancel and inspect batch executions.",
    options: [
        .value("redis", "URL", help: "Redis to use.", default: "redis://127.0.0.1:6379/0"),
        .value("namespace", "NS", help: "Namespace of the deployment.", default: "default"),
        .flag("json", help: "Print JSON."),
    ],
    subcommands: [
        CommandSpec(name: "trigger", abstract: "Start an execution of a job.",
                    options: [.value("param", short: "p", "K=V", help: "A parameter.", repeatable: true),
                              .flag("wait", short: "w", help: "Wait for the end."),
                              .value("priority", "P", help: "0 to 9.", default: "5")],
                    arguments: [.required("JOB", help: "The job type.")]),
        CommandSpec(name: "cancel", abstract: "Cancel executions.", arguments: [.variadic("ID", help: "Execution ids.")]),
        CommandSpec(name: "list", abstract: "List executions.",
                    options: [.value("state", short: "s", "S", help: "Only this state."),
                              .value("limit", short: "n", "N", help: "At most N.", default: "20")]),
        CommandSpec(name: "breakers", abstract: "Show or steer circuit breakers.", subcommands: [
            CommandSpec(name: "force-open", abstract: "Force a breaker open.", arguments: [.required("WORKER", help: "Worker id.")]),
            CommandSpec(name: "reset", abstract: "Reset a breaker.", arguments: [.required("WORKER", help: "Worker id.")]),
        ], requiresSubcommand: false),
        CommandSpec(name: "schedule", abstract: "Steer schedules.", subcommands: [
            CommandSpec(name: "next", abstract: "Print next fire times.",
                        options: [.value("count", short: "c", "N", help: "How many."), .value("from", "TIME", help: "Start.")],
                        arguments: [.required("EXPR", help: "A cron expression."), .optional("ZONE", help: "A zone.")]),
        ]),
    ])

/// An option of `ctl`, by its long name.
func option(_ long: String) -> OptionSpec {
    ctl.walk().flatMap(\.options).first { $0.long == long }!
}

struct CommandLineTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var args: [String]
        var path: [String]
        var options: [String: [String]] = [:]
        var arguments: [String: [String]] = [:]
        var testDescription: String { args.joined(separator: " ") }
    }

    @Test(arguments: [
        Case(args: ["trigger", "report"], path: ["batchctl", "trigger"], arguments: ["JOB": ["report"]]),
        Case(args: ["--json", "trigger", "--param", "date=2026-01-01", "-p", "x=1", "report", "--wait"],
             path: ["batchctl", "trigger"], options: ["json": ["true"], "param": ["date=2026-01-01", "x=1"], "wait": ["true"]],
             arguments: ["JOB": ["report"]]),
        Case(args: ["trigger", "--priority=7", "-w", "report", "--redis", "redis://h:1/0"],
             path: ["batchctl", "trigger"], options: ["priority": ["7"], "wait": ["true"], "redis": ["redis://h:1/0"]],
             arguments: ["JOB": ["report"]]),
        Case(args: ["cancel", "A", "B", "C"], path: ["batchctl", "cancel"], arguments: ["ID": ["A", "B", "C"]]),
        Case(args: ["list", "-s", "failed", "-n5"], path: ["batchctl", "list"], options: ["state": ["failed"], "limit": ["5"]]),
        Case(args: ["list", "-n=5"], path: ["batchctl", "list"], options: ["limit": ["5"]]),
        Case(args: ["breakers"], path: ["batchctl", "breakers"]),
        Case(args: ["breakers", "reset", "worker-1"], path: ["batchctl", "breakers", "reset"], arguments: ["WORKER": ["worker-1"]]),
        Case(args: ["schedule", "next", "0 0 2 * * *", "-c", "3"], path: ["batchctl", "schedule", "next"],
             options: ["count": ["3"]], arguments: ["EXPR": ["0 0 2 * * *"]]),
        Case(args: ["schedule", "next", "--", "-5", "--json"], path: ["batchctl", "schedule", "next"],
             arguments: ["EXPR": ["-5"], "ZONE": ["--json"]]),
        Case(args: ["cancel", "-1"], path: ["batchctl", "cancel"], arguments: ["ID": ["-1"]]),
        Case(args: ["trigger", "--param", "--odd=x", "j"], path: ["batchctl", "trigger"], options: ["param": ["--odd=x"]], arguments: ["JOB": ["j"]]),
    ])
    func argumentsParse(c: Case) throws {
        let p = try ctl.parse(c.args)
        #expect(p.path == c.path)
        #expect(p.options == c.options)
        #expect(p.arguments == c.arguments)
        #expect(!p.helpRequested)
    }

    @Test(arguments: [
        (["list", "--sate", "x"], "batchctl: unknown option '--sate' (did you mean '--state'?); see 'batchctl list --help'"),
        (["lst"], "batchctl: unknown command 'lst' (did you mean 'list'?); see 'batchctl --help'"),
        (["frobnicate"], "batchctl: unknown command 'frobnicate' (commands: trigger, cancel, list, breakers, schedule); see 'batchctl --help'"),
        ([], "batchctl: missing command (one of: trigger, cancel, list, breakers, schedule); see 'batchctl --help'"),
        (["schedule"], "batchctl: missing command (one of: next); see 'batchctl schedule --help'"),
        (["trigger"], "batchctl: missing argument JOB; see 'batchctl trigger --help'"),
        (["cancel"], "batchctl: missing argument ID; see 'batchctl cancel --help'"),
        (["trigger", "a", "b"], "batchctl: unexpected argument 'b'; see 'batchctl trigger --help'"),
        (["list", "--state"], "batchctl: option '--state' needs a value (S); see 'batchctl list --help'"),
        (["list", "-s"], "batchctl: option '-s' needs a value (S); see 'batchctl list --help'"),
        (["list", "--json=yes"], "batchctl: option '--json' takes no value; see 'batchctl list --help'"),
        (["list", "-s", "a", "--state", "b"], "batchctl: option '--state' given twice; see 'batchctl list --help'"),
        (["list", "-x"], "batchctl: unknown option '-x'; see 'batchctl list --help'"),
        (["--state", "x", "list"], "batchctl: unknown option '--state'; see 'batchctl --help'"),
        (["breakers", "rest", "w"], "batchctl: unknown command 'rest' (did you mean 'reset'?); see 'batchctl breakers --help'"),
    ])
    func usageErrorsAreOneLineWithAHint(args: [String], message: String) {
        #expect(throws: UsageError.self) { try ctl.parse(args) }
        do { _ = try ctl.parse(args) } catch { #expect(error.description == message) }
    }

    @Test(arguments: [
        (["--help"], ["batchctl"]), (["-h"], ["batchctl"]), (["list", "--help"], ["batchctl", "list"]),
        (["schedule", "next", "-h"], ["batchctl", "schedule", "next"]), (["trigger", "--help"], ["batchctl", "trigger"]),
    ])
    func helpIsRequestedWithoutOtherChecks(args: [String], path: [String]) throws {
        let p = try ctl.parse(args)
        #expect(p.helpRequested)
        #expect(p.path == path)
    }

    @Test func dashDashEndsOptionsSoHelpIsAnArgument() throws {
        let p = try ctl.parse(["trigger", "--", "--help"])
        #expect(!p.helpRequested)
        #expect(p.argument("JOB") == "--help")
    }

    @Test func helpComesFromTheDeclarations() {
        let text = ctl.helpText(for: ["trigger"])
        #expect(text == """
            USAGE: batchctl trigger [--param K=V]... [--wait] [--priority P] [options] JOB

            Start an execution of a job.

            ARGUMENTS:
              JOB                       The job type.

            OPTIONS:
              -p, --param K=V           A parameter. Repeatable.
              -w, --wait                Wait for the end.
                  --priority P          0 to 9. (default: 5)
              -h, --help                Show this help.

            GLOBAL OPTIONS:
                  --redis URL           Redis to use. (default: redis://127.0.0.1:6379/0)
                  --namespace NS        Namespace of the deployment. (default: default)
                  --json                Print JSON.

            """)
        let top = ctl.helpText()
        #expect(top.hasPrefix("USAGE: batchctl [--redis URL] [--namespace NS] [--json] <command>\n"))
        #expect(top.contains("\nCOMMANDS:\n  trigger                   Start an execution of a job.\n"))
        #expect(top.hasSuffix("See 'batchctl <command> --help' for a command's options.\n"))
        #expect(ctl.helpText(for: ["breakers"]).hasPrefix("USAGE: batchctl breakers [options] [<command>]\n"))
        #expect(ctl.helpText(for: ["schedule", "next"]).hasPrefix("USAGE: batchctl schedule next [--count N] [--from TIME] [options] EXPR [ZONE]\n"))
    }

    @Test func longHelpWrapsAtEightyColumns() {
        let c = CommandSpec(name: "x", abstract: "X.", options: [.flag("verbose", help: String(repeating: "word ", count: 30))])
        for line in c.helpText().split(separator: "\n") { #expect(line.count <= 80) }
    }

    @Test func typedAccessorsExplainBadValues() throws {
        let p = try ctl.parse(["list", "-n", "ten"])
        #expect(throws: UsageError("invalid value 'ten' for '--limit': expected a whole number", command: "batchctl list")) {
            try p.int(option("limit"))
        }
        let q = try ctl.parse(["list", "-n", "50", "-s", "runing"])
        #expect(try q.int(option("limit"), in: 1...1000) == 50)
        #expect(throws: UsageError("invalid value '50' for '--limit': expected 1..10", command: "batchctl list")) {
            try q.int(option("limit"), in: 1...10)
        }
        #expect(throws: UsageError("invalid value 'runing' for '--state': expected one of running, failed (did you mean 'running'?)", command: "batchctl list")) {
            try q.choice(option("state"), of: ["running", "failed"])
        }
        let t = try ctl.parse(["trigger", "-p", "a=1", "-p", "b==2", "j"])
        #expect(try t.keyValues(option("param")) == ["a": "1", "b": "=2"])
        let bad = try ctl.parse(["trigger", "-p", "novalue", "j"])
        #expect(throws: UsageError("invalid value 'novalue' for '--param': expected KEY=VALUE", command: "batchctl trigger")) {
            try bad.keyValues(option("param"))
        }
        #expect(try ctl.parse(["trigger", "j"]).value(option("priority")) == nil)
    }

    /// Reading an option the chosen command does not offer is the program's mistake (it would
    /// always read as not given); the readers assert on this verdict.
    @Test func onlyTheChosenCommandsOptionsAreDeclared() throws {
        let p = try ctl.parse(["list", "--json"])
        #expect(p.declares(option("state")))
        #expect(p.declares(option("json")), "a parent's option is the command's too")
        #expect(p.declares(option("json").described("Other help.")), "help and default do not make another option")
        #expect(!p.declares(.flag("jsno", help: "Misspelt.")))
        #expect(!p.declares(option("wait")), "trigger's option is not list's")
        #expect(!p.declares(.value("json", "X", help: "A value, not the flag.")))
        #expect(try ctl.parse(["schedule", "next", "x"]).argumentNames == ["EXPR", "ZONE"])
    }
}

struct CommonOptionsTests {
    @Test func daemonFlagsBecomeOverridesOfItsSection() throws {
        let spec = CommandSpec(name: "batch-gateway", abstract: "Gateway.",
                               options: CommonOptions.daemon(section: "gateway", defaultListen: GatewaySettings().listen))
        let p = try spec.parse(["--redis", "redis://h:1/0", "--listen", ":9", "--id", "g1", "--config", "/x.conf"])
        #expect(CommonOptions.overrides(from: p, section: "gateway") == [
            "redis.url": "redis://h:1/0", "gateway.listen": ":9", "gateway.id": "g1",
        ])
        #expect(p.value(CommonOptions.config) == "/x.conf")
        var config = Configuration()
        try config.apply(overrides: CommonOptions.overrides(from: p, section: "gateway"))
        #expect(config.gateway.listen.port == 9)
        #expect(config.gateway.id == "g1")
        #expect(spec.helpText().contains("      --listen HOST:PORT    Address of the HTTP endpoint. (default:\n                            127.0.0.1:20200)\n"))
    }

    @Test func toolFlagsSetTheClientGateway() throws {
        let spec = CommandSpec(name: "batchtop", abstract: "Console.", options: CommonOptions.tool)
        let p = try spec.parse(["--gateway", "http://127.0.0.1:20200", "--namespace", "t1"])
        #expect(CommonOptions.overrides(from: p) == ["client.gateway": "http://127.0.0.1:20200", "redis.namespace": "t1"])
    }
}
