import Glibc
import Testing
import TestSupport

/// The process helper of TestSupport, which end-to-end tests rely on.
struct ChildProcessTests {
    @Test func capturesOutputAndExitStatus() throws {
        let child = try ChildProcess(executable: "/bin/sh", arguments: ["-c", "echo out; echo err >&2; exit 3"])
        #expect(child.wait(timeout: .seconds(10)) == .exited(3))
        #expect(child.waitForOutput(containing: "err", timeout: .seconds(5)))
        #expect(waitUntil(timeout: .seconds(5)) { child.standardOutput == "out\n" })
        #expect(child.standardError == "err\n")
        #expect(!child.isRunning)
    }

    @Test func passesEnvironmentWorkingDirectoryAndStdin() throws {
        let dir = try makeTemporaryDirectory("child-test")
        defer { removeTree(dir) }
        let child = try ChildProcess(executable: "sh", arguments: ["-c", "pwd; echo $GREETING; cat"],
                                     environment: ["GREETING": "hello", "PATH": "/usr/bin:/bin"],
                                     workingDirectory: dir, stdin: true)
        try child.writeStdin(Array("from stdin\n".utf8))
        child.closeStdin()
        #expect(child.wait(timeout: .seconds(10)) == .exited(0))
        #expect(waitUntil(timeout: .seconds(5)) { child.standardOutput == "\(dir)\nhello\nfrom stdin\n" }, "\(child.standardOutput)")
    }

    @Test func addedEnvironmentKeepsTheInheritedOne() throws {
        let child = try ChildProcess(executable: "sh", arguments: ["-c", "echo \"$BATCH_TEST_VALUE:${PATH:+has-path}\""],
                                     addingEnvironment: ["BATCH_TEST_VALUE": "set"])
        #expect(child.wait(timeout: .seconds(10)) == .exited(0))
        #expect(waitUntil(timeout: .seconds(5)) { child.standardOutput == "set:has-path\n" }, "\(child.standardOutput)")
    }

    @Test func terminateEndsAChildThatIgnoresNothing() throws {
        let child = try ChildProcess(executable: "sleep", arguments: ["30"])
        #expect(child.isRunning)
        #expect(child.terminate(grace: .seconds(5)) == .signaled(SIGTERM))
    }

    @Test func killReachesTheWholeProcessGroup() throws {
        let child = try ChildProcess(executable: "/bin/sh", arguments: ["-c", "trap '' TERM; sleep 30 & echo $!; wait"])
        #expect(waitUntil(timeout: .seconds(5)) { child.standardOutput.hasSuffix("\n") })
        let grandchild = try #require(pid_t(child.standardOutput.trimmingSuffixNewline()))
        #expect(child.terminate(grace: .milliseconds(300)) == .signaled(SIGKILL))
        // The background sleep was in the group: it is gone too (a zombie reaped by init at worst).
        #expect(waitUntil(timeout: .seconds(5)) { Glibc.kill(grandchild, 0) != 0 || isZombie(grandchild) })
    }

    @Test func missingProgramIsAClearError() {
        #expect(throws: TestSupportError.self) { try ChildProcess(executable: "no-such-program-here") }
    }
}

private func isZombie(_ pid: pid_t) -> Bool {
    guard let file = fopen("/proc/\(pid)/stat", "r") else { return true }
    defer { fclose(file) }
    var buffer = [CChar](repeating: 0, count: 512)
    guard fgets(&buffer, 512, file) != nil else { return true }
    let line = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return line.split(separator: ")").last?.split(separator: " ").first == "Z"
}

private extension String {
    func trimmingSuffixNewline() -> String {
        hasSuffix("\n") ? String(dropLast()) : self
    }
}
