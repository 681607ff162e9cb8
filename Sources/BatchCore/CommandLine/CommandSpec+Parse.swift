extension CommandSpec {
    /// Parses the arguments that follow the program name. `--help`/`-h` anywhere before
    /// `--` asks for help instead (then `helpRequested` is set and nothing is checked).
    public func parse(_ args: [String]) throws(UsageError) -> ParsedCommand {
        var current = self
        var path = [name]
        var scopes: [[OptionSpec]] = [options]
        var values: [String: [String]] = [:]
        var positionals: [String] = []
        var endOfOptions = false
        var help = false
        var i = 0

        func fail(_ message: String) -> UsageError { UsageError(message, command: path.joined(separator: " ")) }
        func find(_ match: (OptionSpec) -> Bool) -> OptionSpec? {
            for scope in scopes.reversed() { if let o = scope.first(where: match) { return o } }
            return nil
        }
        func record(_ o: OptionSpec, _ value: String?, shown: String) throws(UsageError) {
            if o.isFlag {
                if value != nil { throw fail("option '\(shown)' takes no value") }
                if values[o.long] != nil { throw fail("option '\(shown)' given twice") }
                values[o.long] = ["true"]
                return
            }
            guard let value else { throw fail("option '\(shown)' needs a value (\(o.valueName!))") }
            if !o.repeatable, values[o.long] != nil { throw fail("option '\(shown)' given twice") }
            values[o.long, default: []].append(value)
        }

        while i < args.count {
            let a = args[i]
            i += 1
            if !endOfOptions && a == "--" { endOfOptions = true; continue }
            if !endOfOptions && (a == "--help" || a == "-h") && find({ $0.long == "help" || $0.short == "h" }) == nil {
                help = true; continue
            }
            if !endOfOptions && a.hasPrefix("--") {
                let body = a.dropFirst(2)
                let name = String(body.prefix(while: { $0 != "=" }))
                let inline: String? = body.contains("=") ? String(body.drop(while: { $0 != "=" }).dropFirst()) : nil
                guard let o = find({ $0.long == name }) else {
                    let all = scopes.flatMap { $0.map(\.long) } + ["help"]
                    let hint = Suggestion.closest(to: name, in: all).map { " (did you mean '--\($0)'?)" } ?? ""
                    throw fail("unknown option '--\(name)'\(hint)")
                }
                var value = inline
                if value == nil && !o.isFlag {
                    guard i < args.count else { throw fail("option '--\(name)' needs a value (\(o.valueName!))") }
                    value = args[i]; i += 1
                }
                try record(o, value, shown: "--\(name)")
                continue
            }
            // `-5` is a number, not an option, unless some option is really named `-5`.
            let isNegativeNumber = Double(a) != nil && find({ $0.short == a.dropFirst().first }) == nil
            if !endOfOptions && a.hasPrefix("-") && a.count > 1 && !isNegativeNumber {
                var rest = Substring(a.dropFirst())
                while let c = rest.first {
                    rest = rest.dropFirst()
                    guard let o = find({ $0.short == c }) else {
                        if c == "h" { help = true; continue }
                        throw fail("unknown option '-\(c)'")
                    }
                    if o.isFlag { try record(o, nil, shown: "-\(c)"); continue }
                    var value = rest.isEmpty ? nil : String(rest.hasPrefix("=") ? rest.dropFirst() : rest)
                    rest = ""
                    if value == nil {
                        guard i < args.count else { throw fail("option '-\(c)' needs a value (\(o.valueName!))") }
                        value = args[i]; i += 1
                    }
                    try record(o, value, shown: "-\(c)")
                }
                continue
            }
            if !current.subcommands.isEmpty {
                guard let sub = current.subcommands.first(where: { $0.name == a }) else {
                    if help { continue }
                    let names = current.subcommands.map(\.name)
                    let hint = Suggestion.closest(to: a, in: names).map { " (did you mean '\($0)'?)" }
                        ?? " (commands: \(names.joined(separator: ", ")))"
                    throw fail("unknown command '\(a)'\(hint)")
                }
                current = sub
                path.append(sub.name)
                scopes.append(sub.options)
                continue
            }
            positionals.append(a)
        }

        var result = ParsedCommand(path: path, helpRequested: help, options: values, arguments: [:], scope: scopes.flatMap { $0 },
                                   argumentNames: current.arguments.map(\.name))
        if help { return result }
        if current.requiresSubcommand && !current.subcommands.isEmpty {
            throw fail("missing command (one of: \(current.subcommands.map(\.name).joined(separator: ", ")))")
        }
        var rest = positionals[...]
        for arg in current.arguments {
            if arg.isVariadic {
                if rest.isEmpty && !arg.isOptional { throw fail("missing argument \(arg.name)") }
                result.arguments[arg.name] = Array(rest)
                rest = []
            } else if let first = rest.first {
                result.arguments[arg.name] = [first]
                rest = rest.dropFirst()
            } else if !arg.isOptional {
                throw fail("missing argument \(arg.name)")
            }
        }
        if let extra = rest.first {
            throw fail("unexpected argument '\(extra)'")
        }
        return result
    }

    /// Parses, or ends the process: help goes to stdout with exit 0, a usage error to
    /// stderr with exit 2.
    public func parseOrExit(_ args: [String]) -> ParsedCommand {
        do {
            let parsed = try parse(args)
            if parsed.helpRequested {
                ProcessExit.write(helpText(for: Array(parsed.path.dropFirst())), to: 1)
                ProcessExit.exit(0)
            }
            return parsed
        } catch {
            ProcessExit.usage(error)
        }
    }
}
