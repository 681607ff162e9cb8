extension CommandSpec {
    /// The `--help` text of the command at `path` below this one (empty: this one).
    public func helpText(for path: [String] = []) -> String {
        var chain = [self]
        for name in path {
            guard let next = chain.last!.subcommands.first(where: { $0.name == name }) else { break }
            chain.append(next)
        }
        let c = chain.last!
        let fullName = chain.map(\.name).joined(separator: " ")
        let inherited = chain.dropLast().flatMap(\.options).filter { o in !c.options.contains { $0.long == o.long } }
        var out = ""

        var usage = fullName
        for o in c.options { usage += " " + Self.usageItem(o) }
        if !inherited.isEmpty { usage += " [options]" }
        if !c.subcommands.isEmpty {
            usage += c.requiresSubcommand ? " <command>" : " [<command>]"
        }
        for a in c.arguments {
            let item = a.isVariadic ? "\(a.name)..." : a.name
            usage += a.isOptional ? " [\(item)]" : " \(item)"
        }
        out += "USAGE: \(usage)\n\n\(c.abstract)\n"
        if let d = c.discussion { out += "\n\(d)\n" }

        if !c.arguments.isEmpty {
            out += "\nARGUMENTS:\n"
            for a in c.arguments { out += Self.row(a.isVariadic ? "\(a.name)..." : a.name, a.help) }
        }
        out += "\nOPTIONS:\n"
        for o in c.options { out += Self.row(Self.label(o), Self.helpWithDefault(o)) }
        out += Self.row("-h, --help", "Show this help.")
        if !inherited.isEmpty {
            out += "\nGLOBAL OPTIONS:\n"
            for o in inherited { out += Self.row(Self.label(o), Self.helpWithDefault(o)) }
        }
        if !c.subcommands.isEmpty {
            out += "\nCOMMANDS:\n"
            for s in c.subcommands { out += Self.row(s.name, s.abstract) }
            out += "\nSee '\(fullName) <command> --help' for a command's options.\n"
        }
        return out
    }

    private static func usageItem(_ o: OptionSpec) -> String {
        let name = "--\(o.long)"
        guard let v = o.valueName else { return "[\(name)]" }
        return o.repeatable ? "[\(name) \(v)]..." : "[\(name) \(v)]"
    }

    private static func label(_ o: OptionSpec) -> String {
        let long = o.valueName.map { "--\(o.long) \($0)" } ?? "--\(o.long)"
        return o.short.map { "-\($0), \(long)" } ?? "    \(long)"
    }

    private static func helpWithDefault(_ o: OptionSpec) -> String {
        var h = o.help
        if o.repeatable { h += " Repeatable." }
        if let d = o.defaultValue { h += " (default: \(d))" }
        return h
    }

    /// `  label   help`, help wrapped at 80 columns and aligned at column 28.
    private static func row(_ label: String, _ help: String) -> String {
        let column = 28
        let width = 80 - column
        var lines: [String] = []
        var line = ""
        for word in help.split(separator: " ") {
            if !line.isEmpty && line.count + 1 + word.count > width {
                lines.append(line); line = ""
            }
            line += line.isEmpty ? String(word) : " " + word
        }
        if !line.isEmpty || lines.isEmpty { lines.append(line) }
        let head = "  " + label
        let pad = String(repeating: " ", count: column)
        var out: String
        if head.count < column - 1 {
            out = head + String(repeating: " ", count: column - head.count) + lines[0] + "\n"
        } else {
            out = head + "\n" + pad + lines[0] + "\n"
        }
        for l in lines.dropFirst() { out += pad + l + "\n" }
        return out
    }
}
