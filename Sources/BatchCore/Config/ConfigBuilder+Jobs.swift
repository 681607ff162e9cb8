import Platform
extension ConfigBuilder {
    static var jobKeys: [ConfigKey<JobType>] {[
        .choice("kind", \.kind),
        .custom("builtin") { j, v in
            guard let b = BuiltinJob(rawValue: v) else {
                return "expected one of \(BuiltinJob.allCases.map(\.rawValue).joined(separator: ", ")), found \"\(v)\""
            }
            j.builtin = b; return nil
        },
        .custom("url") { j, v in ConfigCheck.httpURL(v) ?? { j.url = v; return nil }() },
        .custom("method") { j, v in
            let m = v.uppercased()
            guard ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(m) else {
                return "expected GET, POST, PUT, PATCH or DELETE, found \"\(v)\""
            }
            j.method = m; return nil
        },
        .duration("timeout", \.timeout, min: .seconds(1)),
        .custom("max-timeout") { j, v in
            guard let d = ConfigDuration.parse(v) else {
                return "expected a duration such as 500ms, 30s, 10m, 2h or 1d, found \"\(v)\""
            }
            if d < .seconds(1) { return "\(v) is too short (at least 1s)" }
            j.maxTimeoutMs = d.inMilliseconds; return nil
        },
        .int("max-attempts", \.maxAttempts, 1...100),
        .custom("retry-on-exit") { j, v in
            var codes: [Int] = []
            for item in ConfigList.parse(v) {
                guard let n = Int(item), (1...255).contains(n) else {
                    return "expected exit codes 1..255 separated by commas, found \"\(item)\""
                }
                codes.append(n)
            }
            j.retryOnExit = codes; return nil
        },
        .duration("backoff", \.backoff, min: .milliseconds(1)),
        .duration("backoff-max", \.backoffMax, min: .milliseconds(1)),
        .int("concurrency", \.concurrency, 0...1_000_000),
        .custom("rate") { j, v in
            switch JobRate.parse(v) {
            case .failure(let e): return e.message
            case .success(var r):
                r.burst = j.rate?.burst ?? 1
                j.rate = r; return nil
            }
        },
        .custom("rate-burst") { j, v in
            guard let b = Int(v.trimmingWhitespace()), (1...JobRate.maxCount).contains(b) else {
                return "expected a number of leases from 1 to \(JobRate.maxCount), found \"\(v)\""
            }
            // Before `rate` is read: kept with a count of 0 until it is.
            j.rate = j.rate.map { var r = $0; r.burst = b; return r } ?? JobRate(count: 0, periodMs: 0, burst: b)
            return nil
        },
        .custom("working-directory") { j, v in
            guard v.hasPrefix("/") else { return "expected an absolute path, found \"\(v)\"" }
            j.workingDirectory = v; return nil
        },
        .custom("description") { j, v in j.description = v.isEmpty ? nil : v; return nil },
        .custom("unique") { j, v in
            guard let u = UniqueSpec.parse(v) else { return "expected \"params\" or parameter names separated by commas" }
            j.unique = u; return nil
        },
    ]}

    static let jobPrefixes = ["param", "header", "env"]
    static let jobAliases: [String: String] = [
        "retries": "max-attempts", "retry": "max-attempts", "attempts": "max-attempts", "max-retries": "max-attempts",
        "cmd": "command", "exec": "command", "program": "command", "run": "command",
        "cwd": "working-directory", "workdir": "working-directory", "dir": "working-directory",
        "type": "kind", "parallelism": "concurrency", "rate-limit": "rate", "burst": "rate-burst", "max-concurrency": "concurrency",
        "desc": "description", "time-limit": "timeout", "retry-backoff": "backoff", "endpoint": "url",
        "unique-params": "unique", "dedupe": "unique", "deduplicate": "unique", "singleton": "unique",
    ]

    mutating func addJob(_ block: ConfigBlock, name: String) {
        var job = JobType(name: name)
        var keysSeen: [String: Int] = [:]
        var command: ConfigEntry?
        var params: [ParamSpec] = []
        var variables: [String: String] = [:]
        let keys = Self.jobKeys
        for e in block.entries {
            guard firstTime(e, in: block, &keysSeen) else { continue }
            if let (prefix, sub) = Self.split(e.key, prefixes: Self.jobPrefixes) {
                switch prefix {
                case "param":
                    guard Self.isParamName(sub) else {
                        sink.add(e.file, e.line, "invalid parameter name \"\(sub)\" in \(block.title) (use letters, digits, '-' and '_')")
                        continue
                    }
                    if sub == "execution-id" || sub == "attempt" {
                        sink.add(e.file, e.line, "parameter name \"\(sub)\" in \(block.title) is reserved ({\(sub)} is always filled by the worker)")
                        continue
                    }
                    let variable = JobType.parameterVariable(sub)
                    if let other = variables[variable] {
                        sink.add(e.file, e.line, "parameter \"\(sub)\" in \(block.title) collides with parameter \"\(other)\": both reach the job as \(variable) (names may not differ only in case or in '-' and '_')")
                        continue
                    }
                    variables[variable] = sub
                    do throws(ParamDeclarationError) {
                        params.append(try ParamSpec(name: sub, declaration: e.value))
                    } catch {
                        sink.add(e.file, e.line, "parameter \"\(sub)\" in \(block.title): \(error.message)")
                    }
                case "header":
                    guard !sub.isEmpty, sub.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
                        sink.add(e.file, e.line, "invalid header name \"\(sub)\" in \(block.title)")
                        continue
                    }
                    job.headers[sub] = e.value
                default:
                    guard Self.isEnvName(sub) else {
                        sink.add(e.file, e.line, "invalid environment variable name \"\(sub)\" in \(block.title) (use letters, digits and '_', not starting with a digit)")
                        continue
                    }
                    job.env[sub] = e.value
                }
            } else if e.key == "command" {
                command = e
            } else if let spec = keys.first(where: { $0.name == e.key }) {
                if let problem = spec.apply(&job, e.value) {
                    sink.add(e.file, e.line, "invalid \"\(e.key)\" in \(block.title): \(problem)")
                }
            } else {
                let known = ["command"] + keys.map(\.name)
                let suggestion = Self.suggestPrefixed(e.key, prefixes: Self.jobPrefixes,
                                                      aliases: ["params": "param", "parameter": "param", "headers": "header", "environment": "env"])
                let message = suggestion.map { "unknown key \"\(e.key)\" in \(block.title) (did you mean \"\($0)\"?)" }
                    ?? ConfigSectionTable.unknownKey(e.key, in: block.title, known: known + ["param.NAME", "header.NAME", "env.NAME"],
                                                     aliases: Self.jobAliases)
                sink.add(e.file, e.line, message)
            }
        }
        job.params = params
        if keysSeen["kind"] == nil {
            job.kind = command != nil ? .command : keysSeen["builtin"] != nil ? .builtin : keysSeen["url"] != nil ? .http : .command
        }
        checkKind(&job, block: block, keysSeen: keysSeen, command: command)
        checkUnique(job, block: block, keysSeen: keysSeen)
        if let most = job.maxTimeoutMs, most < job.timeoutMs, let line = keysSeen["max-timeout"] {
            sink.add(block.file, line, "max-timeout is below timeout in \(block.title) (it is the most a request may ask for)")
        }
        if job.rate?.count == 0, let line = keysSeen["rate-burst"] {
            if keysSeen["rate"] == nil { sink.add(block.file, line, "rate-burst in \(block.title) needs a rate (rate = N/PERIOD)") }
            job.rate = nil
        }
        if job.backoff > job.backoffMax, let line = keysSeen["backoff"] ?? keysSeen["backoff-max"] {
            sink.add(block.file, line, "backoff is above backoff-max in \(block.title)")
        }
        config.jobs[name] = job
    }

    private mutating func checkKind(_ job: inout JobType, block: ConfigBlock, keysSeen: [String: Int], command: ConfigEntry?) {
        let only: [(String, JobKind)] = [("command", .command), ("working-directory", .command), ("builtin", .builtin),
                                         ("url", .http), ("method", .http)]
        for (key, kind) in only where keysSeen[key] != nil && job.kind != kind {
            sink.add(block.file, keysSeen[key]!, "\"\(key)\" applies to kind = \(kind.rawValue) only, and \(block.title) is kind = \(job.kind.rawValue)")
        }
        for key in keysSeen.keys.sorted() where key.hasPrefix("header.") && job.kind != .http {
            sink.add(block.file, keysSeen[key]!, "\"\(key)\" applies to kind = http only, and \(block.title) is kind = \(job.kind.rawValue)")
        }
        switch job.kind {
        case .command:
            guard let e = command else {
                sink.add(block.file, block.line, "\(block.title) needs \"command\" (a program and its arguments)")
                return
            }
            switch CommandWords.split(e.raw) {
            case .failure(let f):
                sink.add(e.file, e.line, "\"command\" in \(block.title): \(f.message)")
            case .success(let words):
                guard !words.isEmpty else {
                    sink.add(e.file, e.line, "\"command\" in \(block.title) is empty (give a program and its arguments)")
                    return
                }
                job.argv = words
                checkPlaceholders(job, entry: e, block: block)
            }
        case .builtin:
            if job.builtin == nil {
                sink.add(block.file, block.line, "\(block.title) is kind = builtin and needs \"builtin\" (\(BuiltinJob.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
        case .http:
            if job.url == nil { sink.add(block.file, block.line, "\(block.title) is kind = http and needs \"url\"") }
        }
    }

    private mutating func checkPlaceholders(_ job: JobType, entry e: ConfigEntry, block: ConfigBlock) {
        let names = Set(job.params.map(\.name) + ["execution-id", "attempt"])
        if JobType.placeholder(job.argv[0]) != nil {
            sink.add(e.file, e.line, "the program in \(block.title) cannot be a placeholder (\(job.argv[0])); name the program itself")
        }
        for word in job.argv {
            if let p = JobType.placeholder(word) {
                if !names.contains(p) {
                    let hint = Suggestion.closest(to: p, in: Array(names)).map { " (did you mean {\($0)}?)" } ?? ""
                    sink.add(e.file, e.line, "\"command\" in \(block.title) uses {\(p)}, which is not a declared parameter\(hint); declare it with param.\(p) = ...")
                }
                continue
            }
            for n in names where word.contains("{\(n)}") {
                sink.add(e.file, e.line, "{\(n)} in \(block.title) must be a whole argument, not part of \"\(word)\" (write \"--opt {\(n)}\", not \"--opt={\(n)}\")")
            }
        }
    }

    static func split(_ key: String, prefixes: [String]) -> (String, String)? {
        for p in prefixes where key.hasPrefix(p + ".") { return (p, String(key.dropFirst(p.count + 1))) }
        return nil
    }

    static func isParamName(_ s: String) -> Bool {
        !s.isEmpty && s.count <= 64 && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }

    static func isEnvName(_ s: String) -> Bool {
        guard let f = s.first, !(f.isNumber) else { return false }
        return s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }
}
