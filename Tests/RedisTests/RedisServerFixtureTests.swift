import Glibc
import Redis
import Testing
@testable import TestSupport

/// The redis-server fixture itself: restart on the same port, log access, orphan reaping.
struct RedisServerFixtureTests {
    @Test func restartKeepsThePortAndTheLogTellsWhatHappened() throws {
        let server = try RedisServer.start()
        defer { server.stop() }
        let port = server.port
        let firstPID = try #require(server.pid)
        server.kill()
        #expect(server.pid == nil)
        try server.restart()
        #expect(server.port == port)
        #expect(server.pid != firstPID)
        let c = try RedisConnection(url: RedisURL(parsing: server.url))
        #expect(try c.send("PING") == .status("PONG"))
        #expect(server.logTail.contains("Ready to accept connections"))
    }

    @Test func stopEndsTheServerAndRemovesItsFolder() throws {
        let server = try RedisServer.start()
        let pid = try #require(server.pid)
        server.stop()
        #expect(access(server.directory, F_OK) != 0)
        #expect(Glibc.kill(pid, 0) != 0)
    }

    @Test func serversOfACrashedTestProcessAreReaped() throws {
        let base = try makeTemporaryDirectory("reap-test")
        defer { removeTree(base) }
        let folder = base + "/batch-redis-orphan"
        #expect(mkdir(folder, 0o700) == 0)
        // A test process that is gone: a child that has already exited and been reaped.
        let gone = try ChildProcess(executable: "true")
        #expect(gone.wait(timeout: .seconds(10)) == .exited(0))
        let port = freeTCPPort()
        let orphan = try ChildProcess(executable: "redis-server",
                                      arguments: ["--port", "\(port)", "--bind", "127.0.0.1", "--save", "", "--daemonize", "no"],
                                      workingDirectory: folder, stdout: .discard, stderr: .discard)
        #expect(waitUntil(timeout: .seconds(10)) { (try? RedisConnection(url: RedisURL(parsing: "redis://127.0.0.1:\(port)/0")).send("PING")) != nil })
        writePID(gone.pid, to: folder + "/owner.pid")
        writePID(orphan.pid, to: folder + "/server.pid")
        // A folder whose owner is alive (this process) is left alone.
        let kept = base + "/batch-redis-kept"
        #expect(mkdir(kept, 0o700) == 0)
        writePID(getpid(), to: kept + "/owner.pid")

        RedisServer.sweepOrphans(under: base)

        #expect(orphan.wait(timeout: .seconds(10)) == .signaled(SIGKILL))
        #expect(access(folder, F_OK) != 0)
        #expect(access(kept, F_OK) == 0)
    }

    private func writePID(_ pid: pid_t, to path: String) {
        let file = fopen(path, "w")
        fputs("\(pid)\n", file)
        fclose(file)
    }
}
