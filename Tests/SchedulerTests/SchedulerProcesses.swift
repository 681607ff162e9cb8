import Foundation
import Glibc
import TestSupport

/// Starts built `batch-scheduler` processes with a configuration written for the test.
struct SchedulerProcesses {
    let directory: String
    let configPath: String
    let namespace: String
    let redisURL: String

    /// `$BATCH_SCHEDULER_BIN` (bench/scheduler sets a release build), else the
    /// `batch-scheduler` built next to the test bundle (`swift build --build-tests` builds it).
    static func executable() throws -> String {
        if let bin = ProcessInfo.processInfo.environment["BATCH_SCHEDULER_BIN"], !bin.isEmpty { return bin }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("batch-scheduler").path
            if access(candidate, X_OK) == 0 { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        throw TestSupportError("batch-scheduler is not built next to \(CommandLine.arguments[0]); run swift build --build-tests first")
    }

    init(config: String, redisURL: String, namespace: String) throws {
        directory = try makeTemporaryDirectory("batch-scheduler-test")
        configPath = directory + "/batch.conf"
        self.namespace = namespace
        self.redisURL = redisURL
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// Starts one scheduler named `id` listening on `port`; its log goes to `<directory>/<id>.log`
    /// (appended to across restarts).
    func start(id: String, port: Int) throws -> ChildProcess {
        let log = directory + "/" + id + ".log"
        return try ChildProcess(executable: try Self.executable(),
                         arguments: ["--config", configPath, "--redis", redisURL, "--namespace", namespace,
                                     "--listen", "127.0.0.1:\(port)", "--id", id, "--log-level", "info"],
                         environment: ["PATH": "/usr/bin:/bin", "HOME": directory],
                         stdout: .discard, stderr: .file(log))
    }

    /// Removes the folder, or keeps it (and says where) when `keep`, for a failed test's logs.
    func cleanUp(keep: Bool = false) {
        if keep { print("scheduler logs kept in \(directory)") } else { removeTree(directory) }
    }

    /// A configuration: the job, the schedulers' settings and `schedules` sections.
    static func config(gateways: [String], leaderTTL: String = "2s", tick: String = "50ms", schedules: String) -> String {
        """
        [scheduler]
        leader-ttl = \(leaderTTL)
        tick = \(tick)
        \(gateways.isEmpty ? "" : "gateways = " + gateways.joined(separator: ", "))

        [job "report"]
        command = /bin/true {at}
        param.at = required

        \(schedules)
        """
    }

    /// Rewrites the configuration (before a SIGHUP).
    func rewrite(_ config: String) throws {
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// `count` schedules `s00`, `s01`, ... firing every second.
    static func everySecond(_ count: Int) -> String {
        (0..<count).map { i in
            let name = "s" + (i < 10 ? "0" : "") + String(i)
            return "[schedule \"\(name)\"]\njob = report\ncron = * * * * * *\nparam.at = {fire-time}\n"
        }.joined(separator: "\n")
    }
}
