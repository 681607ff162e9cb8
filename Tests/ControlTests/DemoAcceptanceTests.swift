import Foundation
import Store
import Testing
import TestSupport

/// The acceptance of batchctl: on the demo configuration, with the real gateway and
/// worker, `batchctl trigger report --param date=2026-11-24 --wait` prints the
/// execution id, its states as they change, the tail of its output, and exits 0.
@Suite struct DemoAcceptanceTests {
    @Test func triggerReportAndWaitOnTheDemoConfiguration() throws {
        let server = try RedisServer.shared
        let namespace = RedisServer.uniqueNamespace("demo")
        let dir = try makeTemporaryDirectory("batchctl-demo")
        defer { removeTree(dir) }
        let template = try String(contentsOfFile: packageRoot + "/etc/demo/batch.conf.in", encoding: .utf8)
        try template.replacingOccurrences(of: "@ROOT@", with: packageRoot)
            .write(toFile: dir + "/batch.conf", atomically: true, encoding: .utf8)
        // Only the Redis URL and namespace, from the environment, as an operator would have them.
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("BATCH_") }
        env["BATCH_REDIS_URL"] = server.url
        env["BATCH_NAMESPACE"] = namespace
        let gateway = try ChildProcess(executable: try builtProgram("batch-gateway"),
                                       arguments: ["--config", dir + "/batch.conf", "--listen", "127.0.0.1:\(freeTCPPort())"],
                                       environment: env, stdout: .discard, stderr: .file(dir + "/gateway.log"))
        defer { gateway.terminate(grace: .seconds(3)) }
        let worker = try ChildProcess(executable: try builtProgram("batch-worker"),
                                      arguments: ["--config", dir + "/batch.conf", "--listen", "127.0.0.1:\(freeTCPPort())",
                                                  "--id", "worker-\(namespace)"],
                                      environment: env, stdout: .discard, stderr: .file(dir + "/worker.log"))
        defer { worker.terminate(grace: .seconds(5)) }

        // batchctl reads no file of the fleet: an empty configuration (the default path may exist on the machine).
        try "".write(toFile: dir + "/empty.conf", atomically: true, encoding: .utf8)
        let ctlEnv = ["BATCH_REDIS_URL": server.url, "BATCH_NAMESPACE": namespace]
        var run: Run?
        // Until both daemons have registered and the gateway has seen the worker's job types.
        let accepted = try waitUntil(timeout: .seconds(30), poll: .milliseconds(250)) {
            run = try batchctl(["--config", dir + "/empty.conf", "trigger", "report", "--param", "date=2026-11-24", "--wait"],
                               environment: ctlEnv)
            return run?.status != 69
        }
        let logs = { ((try? String(contentsOfFile: dir + "/gateway.log", encoding: .utf8)) ?? "") + ((try? String(contentsOfFile: dir + "/worker.log", encoding: .utf8)) ?? "") }
        guard accepted, let r = run else {
            Issue.record("the demo fleet never accepted the trigger: \(run.map { "\($0)" } ?? "")\n\(logs())")
            return
        }
        #expect(r.status == 0, "\(r)\n\(logs())")
        let lines = r.out.split(separator: "\n").map(String.init)
        let id = lines.first ?? ""
        #expect(id.count == 26, "\(r)")
        let states = lines.dropFirst().compactMap { l in
            ["queued", "dispatched", "running", "succeeded"].first { l.contains("  \($0)") && l.first?.isNumber == true }
        }
        #expect(states == ["queued", "dispatched", "running", "succeeded"], "\(r)")
        #expect(r.out.contains("report for 2026-11-24 (execution \(id), attempt 1)"), "\(r)")
        #expect(r.out.contains("report for 2026-11-24 written"), "\(r)")
        #expect(lines.last?.hasPrefix("succeeded (exit 0) in ") == true, "\(r)")
        #expect(r.err.isEmpty, "\(r)")
    }
}
