@testable import Control
import BatchCore
import Testing

/// batchctl's command table is the one place a command is declared: what it offers,
/// and what runs it.
@Suite struct CommandTableTests {
    static let commands = BatchctlSpec.spec.walk()

    /// Only a group whose subcommands do the work has no handler; dispatch finds every other one.
    @Test func everyCommandNamesItsHandler() {
        for (path, command, _) in Self.commands {
            let name = (["batchctl"] + path).joined(separator: " ")
            if command.subcommands.isEmpty { #expect(command.run != nil, "\(name) runs nothing") }
            if command.run == nil { #expect(command.requiresSubcommand, "\(name) may be given alone and runs nothing") }
        }
    }

    /// The words that fill the command's required arguments.
    static func argumentWords(_ c: CommandSpec<CommandHandler>) -> [String] {
        c.arguments.filter { !$0.isOptional }.map { "\($0.name.lowercased())-1" }
    }

    /// Every option of every command, each alone and all at once, in its long and short
    /// spellings, parses and reads back through the option declared on the table.
    @Test func everyOptionOfEveryCommandParsesAndReadsBack() throws {
        for (path, command, options) in Self.commands where command.run != nil {
            let name = (["batchctl"] + path).joined(separator: " ")
            var all: [String] = []
            for o in options {
                var spellings = ["--\(o.long)"]
                if let s = o.short { spellings.append("-\(s)") }
                for spelling in spellings {
                    let words = o.isFlag ? [spelling] : o.repeatable ? [spelling, "a=1", spelling, "b=2"] : [spelling, "v1"]
                    let p = try BatchctlSpec.spec.parse(path + words + Self.argumentWords(command))
                    #expect(p.path == ["batchctl"] + path, "\(name) \(spelling)")
                    #expect(p.declares(o), "\(name) \(spelling)")
                    if o.isFlag {
                        #expect(p.flag(o), "\(name) \(spelling)")
                    } else if o.repeatable {
                        #expect(p.values(o) == ["a=1", "b=2"], "\(name) \(spelling)")
                    } else {
                        #expect(p.value(o) == "v1", "\(name) \(spelling)")
                    }
                    for a in command.arguments where !a.isOptional {
                        #expect(p.argument(a.name) == "\(a.name.lowercased())-1", "\(name) \(spelling)")
                    }
                }
                all += o.isFlag ? ["--\(o.long)"] : ["--\(o.long)=\(o.long)-value"]
            }
            let p = try BatchctlSpec.spec.parse(path + all + Self.argumentWords(command))
            for o in options where !o.isFlag {
                #expect(p.value(o) == "\(o.long)-value", "\(name) with every option")
            }
        }
    }

    /// A command reading an option it does not offer fails its `declares` check (readers assert on it).
    @Test func anUndeclaredOptionIsCaught() throws {
        let stats = try BatchctlSpec.spec.parse(["stats"])
        #expect(stats.declares(Option.json))
        #expect(stats.declares(CommonOptions.redis), "the program's options reach every command")
        #expect(!stats.declares(Option.follow))
        #expect(!stats.declares(.flag("jsno", help: "Misspelt.")))
        let events = try BatchctlSpec.spec.parse(["events"])
        #expect(events.declares(Option.limit) && events.declares(Option.follow))
        #expect(!events.declares(Option.lines))
        // The variants each command shows are the same option to read.
        #expect(try BatchctlSpec.spec.parse(["logs", "-n", "5", "x"]).value(Option.lines) == "5")
    }

    /// Every option the commands read is offered by at least one command.
    @Test func everyOptionReadIsOffered() {
        let offered = Self.commands.flatMap(\.options)
        for o in [Option.json, Option.param, Option.wait, Option.idempotencyKey, Option.priority, Option.paramsFile, Option.lines,
                  Option.state, Option.job, Option.limit, Option.follow, Option.from, Option.count, Option.zone] {
            #expect(offered.contains { $0.isSameOption(as: o) }, "--\(o.long)")
        }
    }

    /// What an argument completes to is a kind `batchctl completion words` knows.
    @Test func everyCompletedArgumentIsAKindOfWords() {
        let kinds = Self.commands.compactMap { Completion.argumentKind($0.command) }
        #expect(Set(kinds) == Set(Completion.kinds))
    }
}
