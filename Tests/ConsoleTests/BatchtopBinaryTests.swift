import Foundation
import Testing
import TestSupport

/// The built `batchtop` program, run as an operator's script would run it.
@Suite(.blocking) struct BatchtopBinaryTests {
    /// Runs batchtop with a config file of its own (empty: defaults) and waits for it to end.
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: ChildProcess.Termination?, out: String, err: String) {
        let dir = try makeTemporaryDirectory("batchtop-binary")
        defer { removeTree(dir) }
        try "".write(toFile: dir + "/batch.conf", atomically: true, encoding: .utf8)
        var env = ProcessInfo.processInfo.environment
        for k in ["BATCH_REDIS_URL", "BATCH_NAMESPACE", "BATCH_GATEWAY_URL", "BATCH_TOKEN_FILE", "BATCH_CONFIG"] { env[k] = nil }
        env["COLUMNS"] = "200"
        for (k, v) in environment { env[k] = v }
        let p = try ChildProcess(executable: try BuiltProducts.path("batchtop"), arguments: ["--config", dir + "/batch.conf"] + arguments,
                                 environment: env)
        guard let status = p.wait(timeout: .seconds(30)) else {
            p.kill()
            throw TestSupportError("batchtop \(arguments) did not end within 30 s:\n\(p.standardError)")
        }
        guard p.waitForOutputEnd(timeout: .seconds(10)) else { throw TestSupportError("batchtop \(arguments): its output did not end") }
        return (status, p.standardOutput, p.standardError)
    }

    @Test func batchModePrintsTwoSnapshotsOfTheSeededExecutions() throws {
        let f = try LiveFixture()
        let ids = try f.seed()
        let r = try Self.run(["-b", "-n", "2", "-d", "0.1", "--redis", f.server.url, "--namespace", f.namespace])
        #expect(r.status == .exited(0), "\(r.err)")
        let lines = r.out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let summaries = lines.filter { $0.hasPrefix("batchtop ") }
        #expect(summaries.count == 2)
        for s in summaries {
            #expect(s.contains("workers 1/1"))
            #expect(s.contains("queue 1"))
            #expect(s.contains("running 1/4"))
            #expect(s.contains("success 50"))
        }
        #expect(lines.filter { $0.hasPrefix("ID ") }.count == 2)
        for id in [ids.succeeded, ids.failed, ids.running, ids.queued] {
            #expect(lines.filter { $0.hasPrefix(id) }.count == 2, "\(id) in\n\(r.out)")
        }
        let failedRow = try #require(lines.first { $0.hasPrefix(ids.failed) })
        // One field each: the state alone in STATE, its reason in REASON.
        let fields = failedRow.split(separator: " ", omittingEmptySubsequences: true)
        #expect(fields[2] == "failed" && fields[3] == "exit_code", "\(failedRow)")
        #expect(lines.first { $0.hasPrefix(ids.running) }?.contains(LiveFixture.worker) == true)
    }

    /// The man page's own examples, run as written (with this test's Redis), and the
    /// one-liner an operator would try first.
    @Test func theManPagesAwkExamplesWorkOnBatchOutput() throws {
        let f = try LiveFixture()
        let ids = try f.seed()
        let dir = try makeTemporaryDirectory("batchtop-awk")
        defer { removeTree(dir) }
        try "".write(toFile: dir + "/batch.conf", atomically: true, encoding: .utf8)
        let program = "'\(try BuiltProducts.path("batchtop"))' --config '\(dir)/batch.conf' --redis '\(f.server.url)' --namespace '\(f.namespace)'"
        let page = try String(contentsOfFile: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path + "/man/batchtop.1", encoding: .utf8)
        let examples = page.split(separator: "\n").filter { $0.hasPrefix(".Dl $ batchtop -b") && $0.contains("awk") }
            .map { $0.dropFirst(".Dl $ ".count).replacingOccurrences(of: "\\&", with: "") }
        #expect(examples.count >= 2, "the man page's awk examples: \(examples)")
        func sh(_ command: String) throws -> String {
            let p = try ChildProcess(executable: "/bin/sh", arguments: ["-c", command])
            guard p.wait(timeout: .seconds(30)) == .exited(0), p.waitForOutputEnd(timeout: .seconds(10)) else {
                throw TestSupportError("\(command) failed: \(p.standardError)")
            }
            return p.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        for example in examples {
            let command = example.replacingOccurrences(of: "batchtop -b", with: program + " -b")
            let out = try sh(command)
            if example.contains("running") { #expect(out == "1", "\(example) printed \(out)") }
            if example.contains("failed") { #expect(out.contains(ids.failed) && !out.contains(ids.succeeded), "\(example) printed \(out)") }
        }
        let failed = try sh(program + #" -b -n 1 | awk '$3=="failed" {print $1}'"#)
        #expect(failed == ids.failed)
        // Progress is one field, CREATED a date, and no sort mark in the titles.
        let out = try sh(program + " -b -n 1")
        let running = try #require(out.split(separator: "\n").first { $0.hasPrefix(ids.running) })
        #expect(running.split(separator: " ", omittingEmptySubsequences: true)[6] == "40%", "\(running)")
        #expect(running.contains(#/ 20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2} /#))
        #expect(!out.contains("▼") && !out.contains("▲"))
    }

    @Test(arguments: [
        ("workers", [LiveFixture.worker, "box1", "http://127.0.0.1:20190 ", "open", "62", "report,sleep"]),
        ("schedules", ["nightly-report", "cron 0 0 2 * * *", "every-minute", "paused"]),
        ("events", ["pause", "every-minute", "state=succeeded"]),
    ])
    func batchModePrintsEveryView(view: String, expected: [String]) throws {
        let f = try LiveFixture()
        try f.seed()
        let r = try Self.run(["-b", "-n", "1", "-v", view, "--redis", f.server.url, "--namespace", f.namespace])
        #expect(r.status == .exited(0), "\(r.err)")
        for text in expected { #expect(r.out.contains(text), "\(text) missing from the \(view) view:\n\(r.out)") }
    }

    @Test func batchModeFilterKeepsOnlyMatchingRows() throws {
        let f = try LiveFixture()
        let ids = try f.seed()
        let r = try Self.run(["-b", "-n", "1", "-f", "failed", "--redis", f.server.url, "--namespace", f.namespace])
        #expect(r.status == .exited(0), "\(r.err)")
        #expect(r.out.contains(ids.failed))
        #expect(!r.out.contains(ids.succeeded))
        #expect(!r.out.contains(ids.queued))
    }

    @Test func unreachableRedisInBatchModeExits69WithOneLineHint() throws {
        let r = try Self.run(["-b", "-n", "1", "--redis", "redis://127.0.0.1:\(freeTCPPort())/0"])
        #expect(r.status == .exited(69))
        #expect(r.out.isEmpty)
        let errLines = r.err.split(separator: "\n")
        #expect(errLines.count == 1)
        #expect(r.err.hasPrefix("batchtop: ") && r.err.contains("--redis URL"), "\(r.err)")
    }

    @Test(arguments: [
        ["-d", "0.01"], ["-n", "0"], ["-v", "nonsense"], ["--limit", "x"], ["--bogus"], ["-b", "extra-argument"],
    ])
    func usageErrorsExit2WithAHint(arguments: [String]) throws {
        let r = try Self.run(arguments)
        #expect(r.status == .exited(2), "\(arguments): \(r.err)")
        #expect(r.err.hasPrefix("batchtop: "), "\(r.err)")
        #expect(r.out.isEmpty)
    }

    @Test func helpListsEveryOptionOfTheManPage() throws {
        let r = try Self.run(["--help"])
        #expect(r.status == .exited(0))
        for option in ["--delay", "--batch", "--iterations", "--view", "--filter", "--limit", "--no-color", "--redis", "--namespace",
                       "--gateway", "--config", "--token-file"] {
            #expect(r.out.contains(option), "\(option) missing from --help")
        }
    }

    @Test func everyOptionInHelpIsInTheManPage() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let man = try String(contentsOf: root.appendingPathComponent("man/batchtop.1"), encoding: .utf8)
        let help = try Self.run(["--help"]).out
        let options = help.split(separator: "\n").flatMap { line in
            line.split(separator: " ").filter { $0.hasPrefix("--") && $0.count > 2 }.map { String($0.dropFirst(2)).trimmingCharacters(in: .punctuationCharacters) }
        }
        #expect(Set(options).count >= 12)
        for o in Set(options) where o != "help" {
            #expect(man.contains("Fl Fl \(o)"), "--\(o) is in --help but not in man/batchtop.1")
        }
    }

    @Test func aMissingTokenFileIsAUsageError() throws {
        let r = try Self.run(["-b", "-n", "1", "--token-file", "/nonexistent/token"])
        #expect(r.status == .exited(2))
        #expect(r.err.contains("/nonexistent/token"), "\(r.err)")
    }
}
