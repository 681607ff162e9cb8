import Platform
import FoundationEssentials
import Schedule

extension ConfigBuilder {
    static func durationMs(_ name: String, _ kp: WritableKeyPath<ScheduleDefinition, Int64>, positive: Bool) -> ConfigKey<ScheduleDefinition> {
        .custom(name) { s, v in
            guard let d = ConfigDuration.parse(v) else {
                return "expected a duration such as 500ms, 30s, 10m, 2h or 1d, found \"\(v)\""
            }
            if positive && d.inMilliseconds < 1 { return "must be at least 1ms" }
            s[keyPath: kp] = d.inMilliseconds
            return nil
        }
    }

    static var scheduleKeys: [ConfigKey<ScheduleDefinition>] {[
        .custom("job") { s, v in ConfigCheck.name(v) ?? { s.job = v; return nil }() },
        .custom("cron") { s, v in
            guard !v.isEmpty else { return "empty expression" }
            s.cron = v; return nil
        },
        .custom("fixed-rate") { s, v in
            guard let d = ConfigDuration.parse(v), d.inMilliseconds >= 1 else { return "expected a duration of at least 1ms, found \"\(v)\"" }
            s.fixedRateMs = d.inMilliseconds; return nil
        },
        .custom("fixed-delay") { s, v in
            guard let d = ConfigDuration.parse(v), d.inMilliseconds >= 1 else { return "expected a duration of at least 1ms, found \"\(v)\"" }
            s.fixedDelayMs = d.inMilliseconds; return nil
        },
        durationMs("initial-delay", \.initialDelayMs, positive: false),
        .custom("zone") { s, v in
            // The schedule engine's own TZif reader, as every program uses it: Foundation's
            // TimeZone knows no zone in a FoundationEssentials-only program (batch-worker).
            do { _ = try ZoneRules.named(v) } catch { return "\(error)" }
            s.zone = v; return nil
        },
        .choice("misfire", \.misfire),
        durationMs("misfire-grace", \.misfireGraceMs, positive: false),
        .choice("overlap", \.overlap),
        .int("priority", \.priority, Priority.range),
        .bool("paused", \.paused),
        .custom("description") { s, v in s.description = v.isEmpty ? nil : v; return nil },
    ]}

    static let scheduleAliases: [String: String] = [
        "job-type": "job", "jobtype": "job", "cron-expression": "cron", "expression": "cron", "every": "fixed-rate",
        "rate": "fixed-rate", "interval": "fixed-rate", "delay": "fixed-delay", "timezone": "zone", "tz": "zone",
        "time-zone": "zone", "concurrency-policy": "overlap", "enabled": "paused", "suspend": "paused", "desc": "description",
    ]

    mutating func addSchedule(_ block: ConfigBlock, name: String) {
        var s = ScheduleDefinition(name: name, job: "", trigger: .cron(""))
        s.cron = nil
        var keysSeen: [String: Int] = [:]
        let keys = Self.scheduleKeys
        for e in block.entries {
            guard firstTime(e, in: block, &keysSeen) else { continue }
            if e.key.hasPrefix("param.") {
                let p = String(e.key.dropFirst(6))
                guard Self.isParamName(p) else {
                    sink.add(e.file, e.line, "invalid parameter name \"\(p)\" in \(block.title)")
                    continue
                }
                s.params[p] = e.value
            } else if let spec = keys.first(where: { $0.name == e.key }) {
                if let problem = spec.apply(&s, e.value) {
                    sink.add(e.file, e.line, "invalid \"\(e.key)\" in \(block.title): \(problem)")
                }
            } else {
                let suggestion = Self.suggestPrefixed(e.key, prefixes: ["param"], aliases: ["params": "param", "parameter": "param"])
                let message = suggestion.map { "unknown key \"\(e.key)\" in \(block.title) (did you mean \"\($0)\"?)" }
                    ?? ConfigSectionTable.unknownKey(e.key, in: block.title, known: keys.map(\.name) + ["param.NAME"],
                                                     aliases: Self.scheduleAliases)
                sink.add(e.file, e.line, message)
            }
        }
        let triggers = ["cron", "fixed-rate", "fixed-delay"].filter { keysSeen[$0] != nil }
        if triggers.count != 1 {
            let found = triggers.isEmpty ? "none" : triggers.joined(separator: " and ")
            sink.add(block.file, block.line, "\(block.title) needs exactly one of cron, fixed-rate, fixed-delay (found \(found))")
        }
        if let line = keysSeen["initial-delay"], keysSeen["cron"] != nil {
            sink.add(block.file, line, "\"initial-delay\" in \(block.title) applies to fixed-rate and fixed-delay only")
        }
        if keysSeen["job"] == nil {
            sink.add(block.file, block.line, "\(block.title) needs \"job\" (the [job] it triggers)")
        }
        if let cron = s.cron, let line = keysSeen["cron"], let problem = validators.cron(cron, s.zone) {
            sink.add(block.file, line, "invalid \"cron\" in \(block.title): \(problem)")
        }
        config.schedules[name] = s
        scheduleBlocks.append((name, block))
    }

    /// Once every file is read: each schedule's job exists, and its parameters fit the job's schema.
    mutating func checkSchedules() {
        for (name, block) in scheduleBlocks {
            guard let s = config.schedules[name], !s.job.isEmpty else { continue }
            let jobLine = block.entries.first(where: { $0.key == "job" })?.line ?? block.line
            guard let job = config.jobs[s.job] else {
                let hint = Suggestion.closest(to: s.job, in: Array(config.jobs.keys)).map { " (did you mean \"\($0)\"?)" } ?? ""
                sink.add(block.file, jobLine, "\(block.title) triggers job \"\(s.job)\", which no [job] section defines\(hint)")
                continue
            }
            var bad: Set<String> = []
            for (p, value) in s.params.sorted(by: { $0.key < $1.key }) {
                let line = block.entries.first(where: { $0.key == "param.\(p)" })?.line ?? block.line
                for token in Self.braceTokens(value) where !ScheduleDefinition.placeholders.contains(token) {
                    sink.add(block.file, line, "unknown placeholder {\(token)} in \(block.title) (known: {fire-date}, {fire-time}, {schedule})")
                    bad.insert(p)
                }
            }
            // Check the values as they would be on a sample fire, so a pattern mismatch shows now, not at 2 a.m.
            let sample = s.params(fireDate: "2026-01-31", fireTime: "2026-01-31T02:00:00+00:00").filter { !bad.contains($0.key) }
            if case .failure(let error) = job.validate(sample.mapValues { .string($0) }) {
                for problem in error.problems {
                    let line = block.entries.first(where: { $0.key == "param.\(problem.parameter)" })?.line ?? block.line
                    sink.add(block.file, line, "\(block.title) gives job \"\(job.name)\" a bad \(problem.description)")
                }
            }
        }
    }

    /// The `{word}` tokens in a value.
    static func braceTokens(_ value: String) -> [String] {
        var out: [String] = []
        var rest = Substring(value)
        while let open = rest.firstIndex(of: "{") {
            let after = rest[rest.index(after: open)...]
            guard let close = after.firstIndex(of: "}") else { break }
            let word = after[..<close]
            if !word.isEmpty, word.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) {
                out.append(String(word))
            }
            rest = after[after.index(after: close)...]
        }
        return out
    }
}
