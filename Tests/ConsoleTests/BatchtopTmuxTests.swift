import Foundation
import Testing
import TestSupport

/// The built `batchtop` in a real terminal: a tmux session of its own (on a private
/// tmux socket, so no one else's sessions are touched), driven with `send-keys` and
/// read with `capture-pane`.
@Suite(.blocking) struct BatchtopTmuxTests {
    /// One private tmux server and session; `close()` always kills it.
    struct Session {
        let socket: String
        let name: String
        let tmux: String

        /// A folder of the session's own: an empty config file, and the status batchtop exits with.
        let directory: String

        /// Starts the built batchtop with `arguments` (shell words) in a new session; the
        /// shell around it writes batchtop's exit status to a file when it ends.
        init(arguments: String, environment: String = "", columns: Int = 120, rows: Int = 40) throws {
            guard let tmux = findExecutable("tmux") else {
                throw TestSupportError("tmux is not installed; run scripts/deps.sh (it installs tmux)")
            }
            self.tmux = tmux
            let unique = "batchtop-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            socket = unique
            name = unique
            directory = try makeTemporaryDirectory("batchtop-tmux")
            try "".write(toFile: directory + "/batch.conf", atomically: true, encoding: .utf8)
            let program = try BuiltProducts.path("batchtop")
            let command = "env -u BATCH_REDIS_URL -u BATCH_NAMESPACE -u BATCH_GATEWAY_URL -u BATCH_TOKEN_FILE LANG=C.UTF-8 \(environment)"
                + " '\(program)' --config '\(directory)/batch.conf' \(arguments); echo $? > '\(directory)/exit-status'"
            try run(["-f", "/dev/null", "new-session", "-d", "-x", "\(columns)", "-y", "\(rows)", "-s", name, command])
        }

        @discardableResult
        func run(_ args: [String]) throws -> String {
            let p = try ChildProcess(executable: tmux, arguments: ["-u", "-L", socket] + args,
                                     environment: ProcessInfo.processInfo.environment.merging(["TERM": "xterm-256color"]) { $1 })
            guard let t = p.wait(timeout: .seconds(10)) else {
                p.kill()
                throw TestSupportError("tmux \(args) did not end within 10 s")
            }
            // tmux exits a moment before its output (a captured screen) is all read.
            guard p.waitForOutputEnd(timeout: .seconds(10)) else { throw TestSupportError("tmux \(args): its output did not end") }
            guard t == .exited(0) else { throw TestSupportError("tmux \(args) failed (\(t)): \(p.standardError)") }
            return p.standardOutput
        }

        func screen() throws -> String { try run(["capture-pane", "-p", "-t", name]) }

        func press(_ keys: String...) throws { try run(["send-keys", "-t", name] + keys) }

        /// Polls the screen until `condition` holds; fails with the screen as it was.
        func waitForScreen(_ what: String, timeout: Duration = .seconds(20), _ condition: (String) -> Bool) throws {
            var last = ""
            let ok = try waitUntil(timeout: timeout, poll: .milliseconds(100)) {
                last = try screen()
                return condition(last)
            }
            if !ok { throw TestSupportError("\(what) did not show within \(timeout); the screen was:\n\(last)") }
        }

        /// After `q`: batchtop ended, with status 0. The status comes from the shell around
        /// it, not from tmux, which may be slow to reap a pane's process on a busy machine.
        func expectExitAfterQuit(sourceLocation: SourceLocation = #_sourceLocation) throws {
            var status = ""
            let ended = waitUntil(timeout: .seconds(10)) {
                status = ((try? String(contentsOfFile: directory + "/exit-status", encoding: .utf8)) ?? "")
                    .trimmingCharacters(in: .whitespacesAndNewlines)
                return !status.isEmpty
            }
            let shown = ended ? "" : "; the screen was:\n" + ((try? screen()) ?? "")
            #expect(ended && status == "0", "batchtop did not exit with status 0 after q (status: \(status))\(shown)",
                    sourceLocation: sourceLocation)
        }

        func close() {
            _ = try? run(["kill-session", "-t", name])
            removeTree(directory)
        }
    }

    @Test func liveConsoleShowsExecutionsThenWorkersAndQuitsOnQ() throws {
        let f = try LiveFixture()
        let ids = try f.seed()
        let s = try Session(arguments: "--redis '\(f.server.url)' --namespace '\(f.namespace)' -d 0.3")
        defer { s.close() }

        try s.waitForScreen("the header and the seeded executions") { screen in
            screen.contains("Workers") && screen.contains("1/1 up") && screen.contains(ids.running) && screen.contains(ids.failed)
        }
        try s.press("2")
        try s.waitForScreen("the workers view with the seeded worker") { screen in
            screen.contains("BREAKER") && screen.contains(LiveFixture.worker) && screen.contains("open")
        }
        try s.press("q")
        try s.expectExitAfterQuit()
    }

    @Test func triggerFormSendsTheJobThroughTheGatewayAndShowsTheNewExecution() throws {
        let f = try LiveFixture()
        try f.seed()
        let gateway = try DaemonProcess("batch-gateway", config: "", redisURL: f.server.url, namespace: f.namespace)
        defer { gateway.stop() }
        try gateway.waitReady()
        let s = try Session(arguments: "--redis '\(f.server.url)' --namespace '\(f.namespace)' -d 0.3", environment: "USER=tmux-operator")
        defer { s.close() }
        // The seeded worker must stay live for the gateway to accept its job types.
        let beat = { try f.fleet.heartbeat(id: LiveFixture.worker, fields: ["role": "worker", "host": "box1",
                                                                              "address": "http://127.0.0.1:1", "slots": "4", "running": "1"]) }

        try s.waitForScreen("the console") { $0.contains("1/1 up") }
        try s.press("t")
        try s.waitForScreen("the job type list") { screen in
            _ = try? beat()
            let boxed = screen.split(separator: "\n").filter { $0.contains("│") }
            return screen.contains("choose a job type") && boxed.contains { $0.contains("sleep") } && boxed.contains { $0.contains("report") }
        }
        try s.press("Down")
        try s.press("Enter")
        try s.waitForScreen("the form of sleep with its default") { screen in (try? beat()) != nil && screen.contains("Trigger sleep") && screen.contains("seconds") }
        try s.press("F2")
        var triggered: [String] = []
        try s.waitForScreen("the trigger's answer") { screen in
            _ = try? beat()
            triggered = ((try? f.executions.list(job: "sleep", limit: 10).executions) ?? [])
                .filter { $0.trigger.source == "batchtop" }.map(\.id)
            return screen.contains("triggered sleep") && triggered.count == 1
        }
        let rec = try #require(try f.executions.get(triggered[0]))
        #expect(rec.trigger.user == "tmux-operator")
        #expect(rec.params == ["seconds": "1"])
        try s.waitForScreen("the new execution in the list") { $0.contains(triggered[0]) }
        try s.press("q")
        try s.expectExitAfterQuit()
    }

    @Test func unreachableRedisShowsInTheStatusLineAndTheConsoleKeepsRunning() throws {
        let port = freeTCPPort()
        let s = try Session(arguments: "--redis redis://127.0.0.1:\(port)/0 -d 0.2")
        defer { s.close() }
        try s.waitForScreen("the Redis error in the status line") { $0.contains("127.0.0.1:\(port)") && $0.contains("refused") }
        #expect(!FileManager.default.fileExists(atPath: s.directory + "/exit-status"), "batchtop ended on a Redis error")
        try s.press("2")
        try s.waitForScreen("the workers view despite the error") { $0.contains("BREAKER") }
        try s.press("q")
        try s.expectExitAfterQuit()
    }
}
