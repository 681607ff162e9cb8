import Foundation
import Glibc
import HTTP
import Testing
import TestSupport

/// The built daemons after a short run against a Redis that requires a password: every
/// `/metrics` passes `promtool check metrics`, every metric a man page names has samples,
/// and the password appears in no output of any program (logs, errors, `--help`, `/health`,
/// `/metrics`, batchctl).
@Suite(.serialized, .blocking) struct ObservabilityTests {
    static let promtool = "/usr/bin/promtool"
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    /// The daemons' shared configuration: a job that succeeds, one that fails, a schedule of each.
    static func config(passwordFile: Bool) -> String {
        """
        [redis]
        \(passwordFile ? "password-file = @DIR@/redis-password" : "")
        [gateway]
        recover-interval = 200ms
        dispatch-timeout = 2s
        [worker]
        slots = 8
        lease-renew = 500ms
        [job "noop"]
        kind = builtin
        builtin = noop
        [job "fail"]
        kind = builtin
        builtin = fail
        max-attempts = 1
        [schedule "tick"]
        job = noop
        fixed-delay = 1s
        [schedule "tock"]
        job = fail
        fixed-delay = 1s
        """
    }

    @Test func metricsHealthAndSecretsOfAShortRun() throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.promtool),
                "promtool is missing: run scripts/deps.sh test (package prometheus)")
        let password = "pw-\(UInt64.random(in: 1 << 40 ... 1 << 50))-s3cret"
        let server = try RedisServer.start(extraConfig: ["requirepass \(password)"])
        defer { server.stop() }
        let namespace = RedisServer.uniqueNamespace("observability")
        let withPassword = "redis://:\(password)@127.0.0.1:\(server.port)/0"
        let bare = server.url
        let writePassword: (String) throws -> Void = { dir in
            try (password + "\n").write(toFile: dir + "/redis-password", atomically: true, encoding: .utf8)
            chmod(dir + "/redis-password", 0o600)
        }
        // The gateway has the password in its URL; the worker and the scheduler in redis.password-file.
        let worker = try DaemonProcess("batch-worker", config: Self.config(passwordFile: true), redisURL: bare,
                                       namespace: namespace, id: "w1", setUp: writePassword)
        let gateway = try DaemonProcess("batch-gateway", config: Self.config(passwordFile: false), redisURL: withPassword,
                                        namespace: namespace, id: "g1")
        let scheduler = try DaemonProcess("batch-scheduler", config: Self.config(passwordFile: true), redisURL: bare,
                                          namespace: namespace, id: "s1", setUp: writePassword)
        let daemons = ["batch-worker": worker, "batch-gateway": gateway, "batch-scheduler": scheduler]
        defer { for d in daemons.values { _ = d.stop(grace: .seconds(5)) } }
        for d in daemons.values { try d.waitReady() }

        let client = HTTPClient(connectTimeout: .seconds(2), requestTimeout: .seconds(10))
        func get(_ d: DaemonProcess, _ path: String) -> String {
            ((try? client.get(d.url + path)).map { String(decoding: $0.body, as: UTF8.self) }) ?? ""
        }
        func metrics(_ d: DaemonProcess) -> [String: Double] { Self.samples(get(d, "/metrics")) }

        // Work of every kind: successes and failures (the schedules fire each second), a refused
        // request, and an operator forcing a breaker open while an execution waits, then resetting it.
        let ctl = try BuiltProducts.path("batchctl")
        var outputs: [(String, String)] = []
        func batchctl(_ args: [String], redis: String = withPassword) -> Int32? {
            let p = try? ChildProcess(executable: ctl, arguments: ["--redis", redis, "--namespace", namespace] + args,
                                      environment: Self.cleanEnvironment())
            guard let p, case .exited(let code)? = p.wait(timeout: .seconds(30)), p.waitForOutputEnd(timeout: .seconds(10)) else { return nil }
            outputs.append(("batchctl \(args.joined(separator: " "))", p.standardOutput + p.standardError))
            return code
        }
        #expect(waitUntil(timeout: .seconds(20), poll: .milliseconds(200)) {
            batchctl(["trigger", "noop"]) == 0
        }, "the gateway never took an execution:\n\(gateway.log)")
        _ = try? client.request("POST", gateway.url + "/api/orchestration/execute", body: Array(#"{"jobType":"nope"}"#.utf8))
        #expect(batchctl(["breakers", "force-open", "w1"]) == 0)
        #expect(waitUntil(timeout: .seconds(20), poll: .milliseconds(200)) {
            (metrics(gateway)[#"batch_breaker_state{worker="w1",state="forced_open"}"#] ?? 0) == 1
        }, "the breaker was never forced open:\n\(gateway.log)")
        _ = batchctl(["trigger", "noop"])
        #expect(waitUntil(timeout: .seconds(20), poll: .milliseconds(200)) {
            (metrics(gateway)[#"batch_queue_oldest_age_seconds{job="noop"}"#] ?? 0) > 0.5
        }, "nothing waited behind the open breaker:\n\(get(gateway, "/metrics"))")
        #expect(batchctl(["breakers", "reset", "w1"]) == 0)
        #expect(waitUntil(timeout: .seconds(30), poll: .milliseconds(200)) {
            let g = metrics(gateway), s = metrics(scheduler)
            return g[#"batch_job_last_success_timestamp_seconds{job="noop"}"#] != nil
                && g[#"batch_job_last_failure_timestamp_seconds{job="fail"}"#] != nil
                && s[#"batch_schedule_last_success_timestamp_seconds{schedule="tick"}"#] != nil
                && s[#"batch_schedule_last_failure_timestamp_seconds{schedule="tock"}"#] != nil
                && (g[#"batch_breaker_state{worker="w1",state="closed"}"#] ?? 0) == 1
        }, "the last success and failure times never showed:\n\(get(gateway, "/metrics"))\n\(get(scheduler, "/metrics"))")
        // Reads through Redis, with the password in the URL and with a wrong one.
        _ = batchctl(["workers"])
        _ = batchctl(["list"])
        // A refused password and a missing one: exit 69 (unavailable) and one line that says so.
        #expect(batchctl(["workers"], redis: "redis://:wrong-\(password.dropFirst(3))@127.0.0.1:\(server.port)/0") == 69)
        #expect(outputs.last.map { $0.1.split(separator: "\n").count == 1 && $0.1.contains("password") } == true, "\(outputs.last?.1 ?? "")")
        #expect(batchctl(["workers"], redis: bare) == 69)
        #expect(outputs.last.map { $0.1.split(separator: "\n").count == 1 && $0.1.contains("password") } == true, "\(outputs.last?.1 ?? "")")
        _ = batchctl(["--help"])

        for (program, d) in daemons.sorted(by: { $0.key < $1.key }) {
            let text = get(d, "/metrics")
            let (status, lint) = try Self.promtoolCheck(text)
            #expect(status == 0 && lint.isEmpty, "\(program): promtool check metrics said: \(lint)\n---\n\(text)")
            #expect(text.contains(#"batch_build_info{version=""#), "\(program) has no batch_build_info")
            #expect(text.contains("batch_redis_up 1"), "\(program): Redis not up in its metrics")

            // Every metric its man page names has samples.
            let man = try String(contentsOfFile: Self.packageRoot + "/man/\(program).8", encoding: .utf8)
            let named = Set(man.matches(of: /batch_[a-z0-9_]*[a-z0-9]/).map { String($0.output) })
            #expect(!named.isEmpty)
            let present = Set(Self.samples(text).keys.map { Self.family(of: $0) })
            let missing = named.subtracting(present).sorted()
            #expect(missing.isEmpty, "\(program): named in man/\(program).8 without samples: \(missing)\n---\n\(text)")

            outputs.append(("\(program) /metrics", text))
            for path in ["/health", "/livez", "/readyz"] { outputs.append(("\(program) \(path)", get(d, path))) }
            let help = try ChildProcess(executable: try BuiltProducts.path(program), arguments: ["--help"],
                                        environment: Self.cleanEnvironment().merging(["BATCH_REDIS_URL": withPassword]) { $1 })
            _ = help.wait(timeout: .seconds(20))
            _ = help.waitForOutputEnd(timeout: .seconds(10))
            outputs.append(("\(program) --help", help.standardOutput + help.standardError))
        }
        for (program, d) in daemons { _ = d.stop(grace: .seconds(10)); outputs.append(("\(program) log", d.log)) }

        // The password nowhere, not even in part of a URL.
        for (what, text) in outputs {
            #expect(!text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty || what.hasSuffix("/livez") || what.hasSuffix("/readyz"),
                    "\(what) printed nothing: the check would be empty")
            #expect(!text.contains(password), "\(what) shows the Redis password:\n\(text)")
            #expect(!text.contains(String(password.dropFirst(3))), "\(what) shows part of the Redis password:\n\(text)")
        }
        #expect(outputs.contains { $0.0 == "batch-gateway log" && $0.1.contains("ready") })
    }

    /// `name{labels}` → value of every sample line.
    static func samples(_ text: String) -> [String: Double] {
        var out: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let v = Double(line[line.index(after: space)...]) else { continue }
            out[String(line[..<space])] = v
        }
        return out
    }

    /// The family a sample belongs to: its name without labels and without a histogram's suffix.
    static func family(of key: String) -> String {
        let name = String(key.prefix { $0 != "{" })
        for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
            return String(name.dropLast(suffix.count))
        }
        return name
    }

    static func cleanEnvironment() -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        for k in env.keys where k.hasPrefix("BATCH_") || k == "NOTIFY_SOCKET" { env[k] = nil }
        return env
    }

    /// `promtool check metrics` on `text`: its status and what it printed.
    static func promtoolCheck(_ text: String) throws -> (Int32, String) {
        let dir = try makeTemporaryDirectory("batch-promtool")
        defer { removeTree(dir) }
        try text.write(toFile: dir + "/metrics.txt", atomically: true, encoding: .utf8)
        let p = try ChildProcess(executable: "/bin/sh", arguments: ["-c", "\(promtool) check metrics < \(dir)/metrics.txt"])
        guard case .exited(let code)? = p.wait(timeout: .seconds(30)), p.waitForOutputEnd(timeout: .seconds(10)) else {
            return (-1, "promtool did not finish")
        }
        return (code, (p.standardOutput + p.standardError).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
