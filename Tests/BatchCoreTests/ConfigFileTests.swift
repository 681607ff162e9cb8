import Foundation
import Testing
@testable import BatchCore

/// The shipped files under etc/batch, found from this source file.
let shippedConfig = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("etc/batch/batch.conf").path

/// A fresh folder for files a test writes; removed by the caller.
func makeTempFolder() throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("batch-config-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

func parseErrors(_ text: String, file: String = "/etc/batch/batch.conf", validators: ConfigValidators = .init()) -> [String] {
    do {
        _ = try Configuration.parse(text: text, file: file, validators: validators)
        return []
    } catch {
        return error.diagnostics.map(\.description)
    }
}

struct ConfigFileTests {
    @Test func shippedConfigurationLoadsWithItsIncludes() throws {
        let config = try Configuration.load(path: shippedConfig)
        #expect(config.files.count == 3)
        #expect(Set(config.jobs.keys) == ["report", "sleep", "noop", "fail", "echo", "settle"])
        #expect(Set(config.schedules.keys) == ["nightly-report", "heartbeat", "settle-krw"])
        let report = try #require(config.jobs["report"])
        #expect(report.kind == .command)
        #expect(report.argv == ["/usr/lib/batch/libexec/report", "--date", "{date}"])
        #expect(report.maxAttempts == 3)
        #expect(report.retryOnExit == [75])
        #expect(report.timeout == .seconds(600))
        #expect(config.jobs["sleep"]?.builtin == .sleep)
        #expect(config.jobs["settle"]?.headers == ["X-Caller": "batch"])
        #expect(config.schedules["nightly-report"]?.trigger == .cron("0 0 2 * * *"))
        #expect(config.schedules["heartbeat"]?.trigger == .fixedRate(.seconds(60)))
        #expect(config.schedules["settle-krw"]?.paused == true)
    }

    @Test func shippedConfigurationStatesTheDefaults() throws {
        // The commented defaults in batch.conf, uncommented, must give the compiled-in defaults.
        let text = try String(contentsOfFile: shippedConfig, encoding: .utf8)
        let uncommented = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            let l = String(line)
            guard l.hasPrefix("# "), l.dropFirst(2).contains(" = ") else { return l }
            let key = l.dropFirst(2).prefix(while: { $0 != " " })
            guard !key.isEmpty, key.allSatisfy({ $0.isLowercase || $0 == "-" }) else { return l }
            // Examples of values with no default (or another key's) are left commented.
            let examples = ["id", "gateways", "gateway", "password-file", "succeeded-age", "failed-age", "timed-out-age", "cancelled-age"]
            return examples.contains(String(key)) ? l : String(l.dropFirst(2))
        }.filter { !$0.hasPrefix("include") }.joined(separator: "\n")
        let config = try Configuration.parse(text: uncommented, file: "uncommented.conf")
        let d = Configuration()
        #expect(config.redis == d.redis)
        #expect(config.log == d.log)
        #expect(config.http == d.http)
        #expect(config.gateway == d.gateway)
        #expect(config.breaker == d.breaker)
        #expect(config.retention == d.retention)
        #expect(config.worker == d.worker)
        #expect(config.scheduler == d.scheduler)
        #expect(config.client == d.client)
    }

    @Test func valuesOfEveryKindAreRead() throws {
        let config = try Configuration.parse(text: """
            [redis]
            url = redis://10.0.0.5:6380/2   # a comment
            namespace = staging
            pool-size = 3
            [http]
            max-body = 2MiB
            token-file = /etc/batch/token
            event-loops = 1
            [gateway]
            listen = :9000
            balance = round-robin
            [breaker]
            failure-rate-threshold = 25%
            automatic-half-open = off
            [worker]
            job-types = a, b
            env-passthrough = PATH
            [job "a"]
            command = /bin/true
            [job "b"]
            command = "/opt/my tools/b" --name "x y" 'a # b' {execution-id}
            description = "report #1" # comment
            """)
        #expect(config.redis.url == "redis://10.0.0.5:6380/2")
        #expect(config.redis.namespace == "staging")
        #expect(config.redis.poolSize == 3)
        #expect(config.http.maxBody == 2 << 20)
        #expect(config.http.tokenFile == "/etc/batch/token")
        #expect(config.http.eventLoops == 1)
        #expect(config.gateway.listen == HostPort(host: "0.0.0.0", port: 9000))
        #expect(config.gateway.balance == .roundRobin)
        #expect(config.breaker.failureRateThreshold == 25)
        #expect(config.breaker.automaticHalfOpen == false)
        #expect(config.worker.jobTypes == ["a", "b"])
        #expect(config.workerJobTypes.map(\.name) == ["a", "b"])
        #expect(config.jobs["b"]?.argv == ["/opt/my tools/b", "--name", "x y", "a # b", "{execution-id}"])
        #expect(config.jobs["b"]?.description == "report #1")
    }

    /// Each broken text gives exactly these messages.
    @Test(arguments: [
        ("[redis]\nurl = http://x", ["F:2: invalid \"url\" in [redis]: expected redis://HOST:PORT/DB, unix:///path/to/redis.sock or redis+sentinel://HOST:PORT/MASTER, found \"http://x\""]),
        ("[redis]\nurl = http://u:hunter2@x", ["F:2: invalid \"url\" in [redis]: expected redis://HOST:PORT/DB, unix:///path/to/redis.sock or redis+sentinel://HOST:PORT/MASTER, found \"http://***@x\""]),
        ("[job \"report\"]\ncommand = /bin/true\nretires = 3", ["F:3: unknown key \"retires\" in [job \"report\"] (did you mean \"max-attempts\"?)"]),
        ("[redis]\npool-size = 0", ["F:2: invalid \"pool-size\" in [redis]: 0 is out of range 1..1024"]),
        ("[redis]\nconect-timeout = 1s", ["F:2: unknown key \"conect-timeout\" in [redis] (did you mean \"connect-timeout\"?)"]),
        ("[redsi]\nurl = redis://x", ["F:1: unknown section [redsi] (did you mean [redis]?)"]),
        ("[redis]\nurl = redis://a\nurl = redis://b", ["F:3: \"url\" is given twice in [redis] (first at F:2)"]),
        ("[gateway]\nlease = soon", ["F:2: invalid \"lease\" in [gateway]: expected a duration such as 500ms, 30s, 10m, 2h or 1d, found \"soon\""]),
        ("[gateway]\nbalance = p2", ["F:2: invalid \"balance\" in [gateway]: expected one of p2c, round-robin, random, found \"p2\" (did you mean \"p2c\"?)"]),
        ("[gateway]\nlisten = 20200", ["F:2: invalid \"listen\" in [gateway]: expected IPV4:PORT such as 127.0.0.1:20200 or :8080 (every interface), found \"20200\""]),
        ("[worker]\nlisten = [::1]:80", ["F:2: invalid \"listen\" in [worker]: [::1]:80: the HTTP server listens on IPv4 only; use 127.0.0.1:80 (loopback) or 0.0.0.0:80 (every interface)"]),
        ("[scheduler]\nlisten = batch.example:80", ["F:2: invalid \"listen\" in [scheduler]: batch.example:80: the listen host must be an IPv4 address such as 127.0.0.1 or 0.0.0.0, not a name"]),
        ("[http]\nmax-body = 1 MB!", ["F:2: invalid \"max-body\" in [http]: expected a size such as 512, 64KiB, 1MiB or 10MB, found \"1 MB!\""]),
        ("[breaker]\nautomatic-half-open = perhaps", ["F:2: invalid \"automatic-half-open\" in [breaker]: expected yes or no (also true/false, on/off), found \"perhaps\""]),
        ("[redis", ["F:1: malformed section header [redis (expected [name] or [name \"label\"])"]),
        ("[job \"a]", ["F:1: unterminated quote in section header [job \"a]"]),
        ("[redis]\njust words", ["F:2: expected \"key = value\", a [section] header or a comment, found \"just...\""]),
        ("url = redis://x", ["F:1: key \"url\" outside any section (put it under a [section] header)"]),
        ("[redis \"x\"]", ["F:1: [redis] takes no name (found [redis \"x\"]; write [redis])"]),
        ("[job]\ncommand = /bin/true", ["F:1: [job] needs a name, as in [job \"nightly\"]"]),
        ("[job \"a\"]", ["F:1: [job \"a\"] needs \"command\" (a program and its arguments)"]),
        ("[job \"a\"]\ncommand = /bin/x --d={date}\nparam.date = string", ["F:2: {date} in [job \"a\"] must be a whole argument, not part of \"--d={date}\" (write \"--opt {date}\", not \"--opt={date}\")"]),
        ("[job \"a\"]\ncommand = /bin/x {dat}\nparam.date = string", ["F:2: \"command\" in [job \"a\"] uses {dat}, which is not a declared parameter (did you mean {date}?); declare it with param.dat = ..."]),
        ("[job \"a\"]\ncommand = {prog} x\nparam.prog = string", ["F:2: the program in [job \"a\"] cannot be a placeholder ({prog}); name the program itself"]),
        ("[job \"a\"]\ncommand = /bin/x 'oops", ["F:2: \"command\" in [job \"a\"]: unterminated single quote"]),
        ("[job \"a\"]\ncommand = /bin/x\nparams.date = string", ["F:3: unknown key \"params.date\" in [job \"a\"] (did you mean \"param.date\"?)"]),
        ("[job \"a\"]\ncommand = /bin/x\nparam.n = int 5..1", ["F:3: parameter \"n\" in [job \"a\"]: empty range 5..1 (MIN is above MAX)"]),
        ("[job \"a\"]\ncommand = /bin/x\nparam.n = int 0..9, default 12", ["F:3: parameter \"n\" in [job \"a\"]: default 12 is out of range 0..9"]),
        ("[job \"a\"]\ncommand = /bin/x\nparam.n = requird", ["F:3: parameter \"n\" in [job \"a\"]: unknown attribute \"requird\" (did you mean \"required\"?); use required, int MIN..MAX, pattern REGEX, enum A|B, string, default VALUE, max-length N, allow-control"]),
        ("[job \"a\"]\ncommand = /bin/x\nparam.d = required, patern ^x$", ["F:3: parameter \"d\" in [job \"a\"]: unknown attribute \"patern\" (did you mean \"pattern\"?); use required, int MIN..MAX, pattern REGEX, enum A|B, string, default VALUE, max-length N, allow-control"]),
        ("[job \"a\"]\ncommand = /bin/x\nparam.p = pattern [a-", ["F:3: parameter \"p\" in [job \"a\"]: invalid regular expression [a- (expected ']')"]),
        ("[job \"a\"]\nkind = builtin", ["F:1: [job \"a\"] is kind = builtin and needs \"builtin\" (noop, sleep, fail, echo)"]),
        ("[job \"a\"]\ncommand = /bin/x\nurl = http://h/", ["F:3: \"url\" applies to kind = http only, and [job \"a\"] is kind = command"]),
        ("[job \"a\"]\ncommand = /bin/x\nretry-on-exit = 0", ["F:3: invalid \"retry-on-exit\" in [job \"a\"]: expected exit codes 1..255 separated by commas, found \"0\""]),
        ("[job \"a\"]\ncommand = /bin/x\n[job \"a\"]\ncommand = /bin/y", ["F:3: [job \"a\"] is defined twice (first at F:1)"]),
        ("[job \"a b\"]\ncommand = /bin/x", ["F:1: job name \"a b\" is not a valid name (use 1 to 128 letters, digits, '-', '_' and '.')"]),
        ("[schedule \"s\"]\njob = nope\nfixed-rate = 1m", ["F:2: [schedule \"s\"] triggers job \"nope\", which no [job] section defines"]),
        ("[job \"a\"]\ncommand = /bin/x\n[schedule \"s\"]\njob = a", ["F:3: [schedule \"s\"] needs exactly one of cron, fixed-rate, fixed-delay (found none)"]),
        ("[job \"a\"]\ncommand = /bin/x\n[schedule \"s\"]\njob = a\ncron = * * * * *\nfixed-rate = 1m", ["F:3: [schedule \"s\"] needs exactly one of cron, fixed-rate, fixed-delay (found cron and fixed-rate)"]),
        ("[job \"a\"]\ncommand = /bin/x\n[schedule \"s\"]\njob = a\ncron = * * * * *\nzone = Mars/Base", ["F:6: invalid \"zone\" in [schedule \"s\"]: time zone \"Mars/Base\": no such zone in /usr/share/zoneinfo; check the spelling (e.g. Europe/Berlin) or install tzdata"]),
        ("[job \"a\"]\ncommand = /bin/x {d}\nparam.d = required, pattern [0-9]+\n[schedule \"s\"]\njob = a\nfixed-rate = 1m\nparam.d = {fire-date}",
         ["F:7: [schedule \"s\"] gives job \"a\" a bad parameter \"d\": \"2026-01-31\" does not match [0-9]+"]),
        ("[job \"a\"]\ncommand = /bin/x {d}\nparam.d = required\n[schedule \"s\"]\njob = a\nfixed-rate = 1m", ["F:4: [schedule \"s\"] gives job \"a\" a bad parameter \"d\": is required"]),
        ("[job \"a\"]\ncommand = /bin/x {d}\nparam.d = string\n[schedule \"s\"]\njob = a\nfixed-rate = 1m\nparam.d = {fire-day}", ["F:7: unknown placeholder {fire-day} in [schedule \"s\"] (known: {fire-date}, {fire-time}, {schedule})"]),
        ("[job \"a\"]\ncommand = /bin/x\n[schedule \"s\"]\njob = a\ncron = * * * * *\ninitial-delay = 5s", ["F:6: \"initial-delay\" in [schedule \"s\"] applies to fixed-rate and fixed-delay only"]),
        ("[job \"a\"]\ncommand = /bin/x\n[schedule \"s\"]\njob = a\nfixed-rate = 1m\npriority = 10", ["F:6: invalid \"priority\" in [schedule \"s\"]: 10 is out of range 0..9"]),
        ("[worker]\njob-types = reprt\n[job \"report\"]\ncommand = /bin/x", ["F:2: [worker] job-types names \"reprt\", which no [job] section defines (did you mean \"report\"?)"]),
        ("[gateway]\ndispatch-backoff = 1m\ndispatch-backoff-max = 10s", ["F:2: [gateway] dispatch-backoff (1m) is above dispatch-backoff-max (10s)"]),
        ("[gateway]\nlease = 1s", ["F:2: [worker] lease-renew (1s) must be shorter than [gateway] lease (1s), or leases expire while jobs run"]),
        ("[log]\nlevel = \"info", ["F:2: unterminated double quote in value of \"level\""]),
        ("[job \"a\"]\ncommand = /bin/x\ntimeout = 1m\ntimeout = 2m", ["F:4: \"timeout\" is given twice in [job \"a\"] (first at line 3)"]),
        ("[job \"a\"]\ncommand = /bin/x\nenv.1X = y\nheader.X-A = b", ["F:3: invalid environment variable name \"1X\" in [job \"a\"] (use letters, digits and '_', not starting with a digit)", "F:4: \"header.X-A\" applies to kind = http only, and [job \"a\"] is kind = command"]),
        ("[job \"a\"]\ncommand = /bin/x {attempt}\nparam.attempt = string", ["F:3: parameter name \"attempt\" in [job \"a\"] is reserved ({attempt} is always filled by the worker)"]),
        ("[job \"h\"]\nurl = http://127.0.0.1:1/x\nmethod = FETCH", ["F:3: invalid \"method\" in [job \"h\"]: expected GET, POST, PUT, PATCH or DELETE, found \"FETCH\""]),
        ("[include \"x\"]", ["F:1: [include] takes no name (found [include \"x\"])"]),
        ("include = missing.conf", ["F:1: no such file: /etc/batch/missing.conf"]),
        ("include = a/*/b.conf", ["F:1: wildcards are allowed only in the file name of an include (\"a/*/b.conf\")"]),
    ] as [(String, [String])])
    func brokenLinesGiveFileLineAndReason(text: String, expected: [String]) {
        let got = parseErrors(text, file: "F").map { $0 }
        // Includes are resolved from the folder of the named file; "F" has none, so name it.
        if text.hasPrefix("include") {
            #expect(parseErrors(text, file: "/etc/batch/batch.conf") == expected.map { $0.replacingOccurrences(of: "F:", with: "/etc/batch/batch.conf:") })
        } else {
            #expect(got == expected)
        }
    }

    @Test func byteOrderMarkAndWindowsLineEndsAreAccepted() throws {
        let config = try Configuration.parse(text: "\u{FEFF}# c\r\n[redis]\r\nnamespace = win\r\n", file: "F")
        #expect(config.redis.namespace == "win")
    }

    @Test func schedulesRoundTripThroughJSON() throws {
        let config = try Configuration.load(path: shippedConfig)
        for s in config.schedules.values {
            #expect(try JSONDecoder().decode(ScheduleDefinition.self, from: JSONEncoder().encode(s)) == s)
        }
        let nightly = try #require(config.schedules["nightly-report"])
        #expect(nightly.params(fireDate: "2026-02-03", fireTime: "2026-02-03T02:00:00+09:00") == ["date": "2026-02-03"])
    }

    @Test func everyProblemIsReportedUpToALimit() {
        let text = "[redis]\n" + (1...30).map { "bad-key-\($0) = 1" }.joined(separator: "\n")
        do {
            _ = try Configuration.parse(text: text, file: "F")
            Issue.record("a broken configuration loaded")
        } catch {
            #expect(error.diagnostics.count == ConfigError.maxReported)
            #expect(error.omitted == 10)
            #expect(error.diagnostics.first?.line == 2)
            #expect(error.description.hasSuffix("... and 10 more problems"))
            #expect(error.description.split(separator: "\n").count == 21)
        }
    }

    @Test func cronIsCheckedThroughTheValidatorWithTheZone() {
        let validators = ConfigValidators(cron: { expr, zone in expr == "bad" ? "no good in \(zone)" : nil })
        let text = "[job \"a\"]\ncommand = /bin/x\n[schedule \"s\"]\njob = a\ncron = bad\nzone = Asia/Seoul"
        #expect(parseErrors(text, file: "F", validators: validators) == ["F:5: invalid \"cron\" in [schedule \"s\"]: no good in Asia/Seoul"])
        #expect(parseErrors(text.replacingOccurrences(of: "= bad", with: "= 0 0 * * * *"), file: "F", validators: validators) == [])
    }

    @Test(arguments: [
        ("/etc/batch/jobs.d/*.conf", "/etc/batch/jobs.d", "*.conf"),
        ("/etc//batch/jobs.d//*.conf", "/etc/batch/jobs.d", "*.conf"),
        ("/etc/batch/jobs.d/", "/etc/batch", "jobs.d"),
        ("/x.conf", "/", "x.conf"),
        ("x.conf", "", "x.conf"),
        ("a/b", "a", "b"),
        ("/", "/", "/"),
    ])
    func includePathsSplitIntoFolderAndName(path: String, folder: String, name: String) {
        let split = ConfigLoader.splitPath(path)
        #expect(split.folder == folder)
        #expect(split.name == name)
    }

    @Test func includesAreReadSortedRelativeToTheIncludingFile() throws {
        let dir = try makeTempFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/jobs.d", withIntermediateDirectories: true)
        try "[include]\npath = jobs.d/*.conf\n[redis]\nnamespace = main\n".write(toFile: dir + "/main.conf", atomically: true, encoding: .utf8)
        try "[job \"b\"]\ncommand = /bin/b\n".write(toFile: dir + "/jobs.d/20-b.conf", atomically: true, encoding: .utf8)
        try "[job \"a\"]\ncommand = /bin/a\ninclude = x\n".write(toFile: dir + "/jobs.d/10-a.conf", atomically: true, encoding: .utf8)
        try "ignored".write(toFile: dir + "/jobs.d/readme.txt", atomically: true, encoding: .utf8)
        do {
            _ = try Configuration.load(path: dir + "/main.conf")
            Issue.record("an include key inside a [job] section was accepted")
        } catch {
            #expect(error.diagnostics.map(\.description) == ["\(dir)/jobs.d/10-a.conf:3: unknown key \"include\" in [job \"a\"] (known keys: command, kind, builtin, url, method, timeout, max-timeout, max-attempts, retry-on-exit, backoff, backoff-max, concurrency, rate, rate-burst, working-directory, description, unique, param.NAME, header.NAME, env.NAME)"])
        }
        try "[job \"a\"]\ncommand = /bin/a\n".write(toFile: dir + "/jobs.d/10-a.conf", atomically: true, encoding: .utf8)
        let config = try Configuration.load(path: dir + "/main.conf")
        #expect(config.files == [dir + "/main.conf", dir + "/jobs.d/10-a.conf", dir + "/jobs.d/20-b.conf"])
        #expect(config.jobs.keys.sorted() == ["a", "b"])
        #expect(config.redis.namespace == "main")
    }

    @Test func includeCyclesAreRefused() throws {
        let dir = try makeTempFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "include = b.conf\n".write(toFile: dir + "/a.conf", atomically: true, encoding: .utf8)
        try "include = a.conf\n".write(toFile: dir + "/b.conf", atomically: true, encoding: .utf8)
        #expect(throws: ConfigError.self) { try Configuration.load(path: dir + "/a.conf") }
        do { _ = try Configuration.load(path: dir + "/a.conf") } catch {
            #expect(error.diagnostics.count == 1)
            #expect(error.diagnostics[0].file == dir + "/b.conf")
            #expect(error.diagnostics[0].message.hasPrefix("include cycle"))
        }
    }

    @Test func missingFileIsAnErrorOnlyAtAnExplicitPath() throws {
        do {
            _ = try Configuration.load(path: "/nonexistent/batch.conf")
            Issue.record("a missing explicit file loaded")
        } catch {
            #expect(error.description == "/nonexistent/batch.conf: no such file: /nonexistent/batch.conf")
        }
        if !FileManager.default.fileExists(atPath: Configuration.defaultPath) {
            let config = try Configuration.load(path: nil)
            #expect(config.jobs.isEmpty)
            #expect(config.redis == RedisSettings())
        }
    }
}

struct ConfigSyntaxTests {
    @Test(arguments: [
        ("a # c", "a"), ("a#b", "a#b"), ("\"x # y\" # c", "\"x # y\""), ("'x # y' z # c", "'x # y' z"),
        ("don't # note", "don't"), ("# all comment", ""), ("a\t# c", "a"), ("\"a \\\" # b\" # c", "\"a \\\" # b\""),
    ])
    func commentsEndValuesAfterWhitespaceOutsideQuotes(value: String, expected: String) {
        #expect(ConfigSyntax.stripComment(Substring(value)).trimmingWhitespace() == expected)
    }

    @Test(arguments: [
        ("\"a # b\"", "a # b"), ("\"q\\\"q\"", "q\"q"), ("\"a\" b", "\"a\" b"), ("plain", "plain"), ("\"t\\tn\\n\"", "t\tn\n"),
    ])
    func oneQuotedStringLosesItsQuotes(raw: String, expected: String) throws {
        #expect(try ConfigSyntax.unquote(raw).get() == expected)
    }

    @Test(arguments: [
        ("[redis]", "redis", nil), ("[ job \"a\" ]", "job", "a"), ("[job \"a \\\"b\\\" \\\\\"]", "job", "a \"b\" \\"),
        ("[job \"x\"] # note", "job", "x"),
    ] as [(String, String, String?)])
    func headersGiveKindAndName(line: String, kind: String, name: String?) throws {
        let (k, n) = try ConfigSyntax.parseHeader(line).get()
        #expect(k == kind)
        #expect(n == name)
    }
}

struct ConfigDocumentationTests {
    static let root = URL(fileURLWithPath: shippedConfig).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func everyKeyIsInTheManPageAndTheShippedFile() throws {
        let man = try String(contentsOf: Self.root.appendingPathComponent("man/batch.conf.5"), encoding: .utf8)
        let conf = try String(contentsOfFile: shippedConfig, encoding: .utf8)
        for table in ConfigSectionTable.all {
            #expect(conf.contains("[\(table.name)]"), "batch.conf lacks [\(table.name)]")
            for key in table.keyNames {
                #expect(man.contains(".It Ic \(key) No = "), "batch.conf.5 lacks \(table.name).\(key)")
                #expect(conf.contains("# \(key) =") || conf.contains("\n\(key) ="), "batch.conf lacks \(table.name).\(key)")
            }
        }
        let named = ConfigBuilder.jobKeys.map(\.name) + ["command"] + ConfigBuilder.scheduleKeys.map(\.name)
        for key in named {
            #expect(man.contains(".It Ic \(key) No = "), "batch.conf.5 lacks \(key)")
        }
        for (variable, _) in Configuration.environmentKeys {
            #expect(man.contains(".It Ev \(variable)"), "batch.conf.5 lacks \(variable)")
        }
    }
}
