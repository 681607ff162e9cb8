/// Turns the blocks the loader read into a `Configuration`, collecting every problem.
struct ConfigBuilder {
    var config = Configuration()
    var sink = DiagnosticSink()
    let validators: ConfigValidators
    /// Where each `section.key` (and each `job:NAME`, `schedule:NAME`) was first set.
    var seen: [String: (file: String, line: Int)] = [:]
    /// Schedules kept with their block, checked against the jobs once every file is read.
    var scheduleBlocks: [(name: String, block: ConfigBlock)] = []

    /// The file named in problems that no line can be blamed for.
    let mainFile: String

    init(validators: ConfigValidators, mainFile: String) {
        self.validators = validators; self.mainFile = mainFile
    }

    mutating func add(_ block: ConfigBlock) {
        switch block.kind {
        case "job":
            guard let name = namedSection(block) else { return }
            addJob(block, name: name)
        case "schedule":
            guard let name = namedSection(block) else { return }
            addSchedule(block, name: name)
        default:
            guard let table = ConfigSectionTable.all.first(where: { $0.name == block.kind }) else {
                let hint = Suggestion.closest(to: block.kind, in: ConfigSectionTable.sectionNames)
                    .map { " (did you mean [\($0)]?)" } ?? " (known sections: \(ConfigSectionTable.sectionNames.joined(separator: ", ")))"
                sink.add(block.file, block.line, "unknown section [\(block.kind)]\(hint)")
                return
            }
            if let n = block.name {
                sink.add(block.file, block.line, "[\(block.kind)] takes no name (found [\(block.kind) \"\(n)\"]; write [\(block.kind)])")
            }
            addSingleton(block, table)
        }
    }

    private mutating func namedSection(_ block: ConfigBlock) -> String? {
        guard let name = block.name else {
            sink.add(block.file, block.line, "[\(block.kind)] needs a name, as in [\(block.kind) \"nightly\"]")
            return nil
        }
        if let problem = ConfigCheck.name(name) {
            sink.add(block.file, block.line, "\(block.kind) name \(problem)")
            return nil
        }
        let id = "\(block.kind):\(name)"
        if let first = seen[id] {
            sink.add(block.file, block.line, "\(block.title) is defined twice (first at \(first.file):\(first.line))")
            return nil
        }
        seen[id] = (block.file, block.line)
        return name
    }

    private mutating func addSingleton(_ block: ConfigBlock, _ table: ConfigSectionTable) {
        for e in block.entries {
            guard table.keyNames.contains(e.key) else {
                sink.add(e.file, e.line, ConfigSectionTable.unknownKey(e.key, in: block.title, known: table.keyNames, aliases: table.aliases))
                continue
            }
            let id = "\(table.name).\(e.key)"
            if let first = seen[id] {
                sink.add(e.file, e.line, "\"\(e.key)\" is given twice in \(block.title) (first at \(first.file):\(first.line))")
                continue
            }
            seen[id] = (e.file, e.line)
            if let problem = table.set(&config, e.key, e.value) {
                sink.add(e.file, e.line, "invalid \"\(e.key)\" in \(block.title): \(problem)")
            }
        }
    }

    /// Complains about a key given twice in one named section; true when `e` is the first.
    mutating func firstTime(_ e: ConfigEntry, in block: ConfigBlock, _ keysSeen: inout [String: Int]) -> Bool {
        if let line = keysSeen[e.key] {
            sink.add(e.file, e.line, "\"\(e.key)\" is given twice in \(block.title) (first at line \(line))")
            return false
        }
        keysSeen[e.key] = e.line
        return true
    }

    /// For `params.date` and the like: the prefix corrected, the rest kept.
    static func suggestPrefixed(_ key: String, prefixes: [String], aliases: [String: String]) -> String? {
        guard let dot = key.firstIndex(of: ".") else { return nil }
        let prefix = String(key[..<dot]), rest = key[key.index(after: dot)...]
        guard !rest.isEmpty, let p = Suggestion.closest(to: prefix, in: prefixes, aliases: aliases) else { return nil }
        return "\(p).\(rest)"
    }

    mutating func finish() {
        checkSchedules()
        for name in config.worker.jobTypes where config.jobs[name] == nil {
            let at = seen["worker.job-types"] ?? ("<config>", 0)
            let hint = Suggestion.closest(to: name, in: Array(config.jobs.keys)).map { " (did you mean \"\($0)\"?)" } ?? ""
            sink.add(at.file, at.line, "[worker] job-types names \"\(name)\", which no [job] section defines\(hint)")
        }
        for (keys, message) in config.crossFieldProblems() {
            let seenNow = seen
            let at = keys.compactMap { seenNow[$0] }.first ?? (mainFile, 0)
            sink.add(at.file, at.line, message)
        }
    }
}

extension Configuration {
    /// Settings that are each valid but do not fit together, keyed by the `section.key` to blame.
    func crossFieldProblems() -> [([String], String)] {
        var out: [([String], String)] = []
        if gateway.dispatchBackoff > gateway.dispatchBackoffMax {
            out.append((["gateway.dispatch-backoff", "gateway.dispatch-backoff-max"],
                        "[gateway] dispatch-backoff (\(ConfigDuration.format(gateway.dispatchBackoff))) is above dispatch-backoff-max (\(ConfigDuration.format(gateway.dispatchBackoffMax)))"))
        }
        if worker.leaseRenew >= gateway.lease {
            out.append((["worker.lease-renew", "gateway.lease"],
                        "[worker] lease-renew (\(ConfigDuration.format(worker.leaseRenew))) must be shorter than [gateway] lease (\(ConfigDuration.format(gateway.lease))), or leases expire while jobs run"))
        }
        if breaker.windowType == .count && breaker.minimumCalls > breaker.windowSize {
            out.append((["breaker.minimum-calls", "breaker.window-size", "breaker.window-type"],
                        "[breaker] minimum-calls (\(breaker.minimumCalls)) is above window-size (\(breaker.windowSize)), so the breaker could never open"))
        }
        if breaker.windowType == .time && breaker.windowSize > 86_400 {
            out.append((["breaker.window-size", "breaker.window-type"],
                        "[breaker] window-size (\(breaker.windowSize)) is above 86400: a time window spans at most one day of seconds"))
        }
        return out
    }
}
