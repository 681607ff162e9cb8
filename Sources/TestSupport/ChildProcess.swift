import CSystem
import Foundation
import Glibc
import Platform
import Synchronization

/// A program started by a test: its output is captured (or sent to a file), it can be signalled by
/// PID, and waited for with a deadline. A child still running when this object goes away is killed.
public final class ChildProcess: Sendable {
    /// Where a standard stream goes.
    public enum Output: Sendable, Equatable {
        case capture
        case file(String)
        case discard
    }

    /// How the child ended.
    public enum Termination: Sendable, Equatable, CustomStringConvertible {
        case exited(Int32)
        case signaled(Int32)

        public var description: String {
            switch self {
            case .exited(let code): return "exited with status \(code)"
            case .signaled(let sig): return "killed by signal \(sig)"
            }
        }
    }

    public let pid: pid_t
    public let executable: String
    /// Whether the child leads its own process group (signals can reach its whole group).
    public let ownsProcessGroup: Bool

    private let output = CapturedOutput()
    private let termination = Mutex<Termination?>(nil)
    private let stdinFD = Mutex<Int32>(-1)

    /// Starts `executable` (a path, or a name looked up in PATH) with `arguments`.
    /// `environment` nil inherits this process's environment; `addingEnvironment` is set on top of
    /// either; `stdin` true gives a pipe for `writeStdin`.
    public init(executable: String, arguments: [String] = [], environment: [String: String]? = nil,
                addingEnvironment: [String: String] = [:], workingDirectory: String? = nil, stdout: Output = .capture, stderr: Output = .capture,
                stdin: Bool = false, newProcessGroup: Bool = true) throws {
        guard let path = findExecutable(executable) else {
            throw TestSupportError("cannot start \(executable): not found in PATH, /usr/bin, /usr/sbin or /usr/local/bin; build or install it first")
        }
        self.executable = path
        self.ownsProcessGroup = newProcessGroup

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }

        var parentEnds: [Int32] = []  // read ends we keep: stdout, stderr (or -1)
        var childEnds: [Int32] = []   // write ends the child gets; closed here after spawn
        defer { childEnds.forEach { _ = Glibc.close($0) } }

        var stdinWrite: Int32 = -1
        if stdin {
            var fds: [Int32] = [-1, -1]
            guard pipe2(&fds, O_CLOEXEC) == 0 else { throw TestSupportError("pipe2 for stdin of \(path) failed: errno \(errno)") }
            posix_spawn_file_actions_adddup2(&actions, fds[0], 0)
            childEnds.append(fds[0])
            stdinWrite = fds[1]
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        for (fd, output) in [(Int32(1), stdout), (Int32(2), stderr)] {
            switch output {
            case .capture:
                var fds: [Int32] = [-1, -1]
                guard pipe2(&fds, O_CLOEXEC) == 0 else { throw TestSupportError("pipe2 for output of \(path) failed: errno \(errno)") }
                posix_spawn_file_actions_adddup2(&actions, fds[1], fd)
                childEnds.append(fds[1])
                parentEnds.append(fds[0])
            case .file(let file):
                posix_spawn_file_actions_addopen(&actions, fd, file, O_WRONLY | O_CREAT | O_APPEND, 0o644)
                parentEnds.append(-1)
            case .discard:
                posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", O_WRONLY, 0)
                parentEnds.append(-1)
            }
        }
        if let workingDirectory {
            posix_spawn_file_actions_addchdir_np(&actions, workingDirectory)
        }
        // Nothing else of this process leaks into the child. Tests run side by side in one
        // process: a daemon started while another test had a file open for writing would keep
        // it open for its whole life (a script being written then fails to run: ETXTBSY).
        posix_spawn_file_actions_addclosefrom_np(&actions, 3)

        // A clean signal state: nothing blocked, every signal at its default (SIGPIPE not inherited as ignored).
        var flags = Int32(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        if newProcessGroup {
            flags |= Int32(POSIX_SPAWN_SETPGROUP)
            posix_spawnattr_setpgroup(&attributes, 0)
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)

        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var fullEnvironment = (environment ?? ProcessInfo.processInfo.environment)
            .merging(addingEnvironment) { _, added in added }
        // scripts/test-suite.sh finds what a run left behind by this mark, so a child given an
        // environment of its own carries it too.
        if let run = ProcessInfo.processInfo.environment["BATCH_TEST_RUN"], fullEnvironment["BATCH_TEST_RUN"] == nil {
            fullEnvironment["BATCH_TEST_RUN"] = run
        }
        let env = fullEnvironment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { env.forEach { free($0) } }

        var child: pid_t = 0
        let rc = posix_spawn(&child, path, &actions, &attributes, argv, env)
        guard rc == 0 else {
            parentEnds.forEach { if $0 >= 0 { _ = Glibc.close($0) } }
            if stdinWrite >= 0 { Glibc.close(stdinWrite) }
            throw TestSupportError("cannot start \(path): \(String(cString: strerror(rc)))")
        }
        pid = child
        stdinFD.withLock { $0 = stdinWrite }
        if parentEnds[0] >= 0 { startReader(fd: parentEnds[0], isStderr: false) }
        if parentEnds[1] >= 0 { startReader(fd: parentEnds[1], isStderr: true) }
    }

    deinit {
        if termination.withLock({ $0 }) == nil {
            Glibc.kill(ownsProcessGroup ? -pid : pid, SIGKILL)
            var status: Int32 = 0
            _ = try? syscall("waitpid") { waitpid(pid, &status, 0) }
        }
        let fd = stdinFD.withLock { $0 }
        if fd >= 0 { Glibc.close(fd) }
    }

    private func startReader(fd: Int32, isStderr: Bool) {
        // The thread holds only the buffers, not `self`: dropping this object must still kill the child.
        let output = self.output
        output.openStreams.add(1, ordering: .relaxed)
        let thread = Thread {
            var chunk = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = (try? syscall("read") { chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) } }) ?? -1
                if n > 0 {
                    if isStderr {
                        output.err.withLock { $0.append(contentsOf: chunk[0..<n]) }
                    } else {
                        output.out.withLock { $0.append(contentsOf: chunk[0..<n]) }
                    }
                } else {
                    break
                }
            }
            Glibc.close(fd)
            output.openStreams.subtract(1, ordering: .releasing)
        }
        thread.name = "child \(pid) \(isStderr ? "stderr" : "stdout")"
        thread.start()
    }

    /// What the child wrote to stdout so far (when captured).
    public var standardOutput: String { String(decoding: output.out.withLock { $0 }, as: UTF8.self) }
    /// What the child wrote to stderr so far (when captured).
    public var standardError: String { String(decoding: output.err.withLock { $0 }, as: UTF8.self) }

    /// Waits until every captured stream reached end of file, so `standardOutput` and
    /// `standardError` hold all the child wrote (`wait` returns when it exits, which can
    /// be a moment before its last output is read).
    public func waitForOutputEnd(timeout: Duration) -> Bool {
        waitUntil(timeout: timeout, poll: .milliseconds(2)) { output.openStreams.load(ordering: .acquiring) == 0 }
    }

    /// Waits until captured stdout or stderr contains `text`.
    public func waitForOutput(containing text: String, timeout: Duration) -> Bool {
        waitUntil(timeout: timeout) { standardOutput.contains(text) || standardError.contains(text) }
    }

    /// Writes to the child's stdin (started with `stdin: true`).
    public func writeStdin(_ bytes: [UInt8]) throws {
        let fd = stdinFD.withLock { $0 }
        guard fd >= 0 else { throw TestSupportError("stdin of \(executable) (pid \(pid)) is not a pipe or was closed") }
        do {
            try writeAll(fd, bytes)
        } catch {
            throw TestSupportError("writing to stdin of \(executable) (pid \(pid)) failed: errno \(error.errno)")
        }
    }

    /// Closes the child's stdin so it reads end of file.
    public func closeStdin() {
        let fd = stdinFD.withLock { fd in defer { fd = -1 }; return fd }
        if fd >= 0 { Glibc.close(fd) }
    }

    /// Sends `signal` to the child (by PID; to its whole group when `group` and it leads one).
    public func signal(_ signal: Int32, group: Bool = false) {
        guard termination.withLock({ $0 }) == nil else { return }
        Glibc.kill(group && ownsProcessGroup ? -pid : pid, signal)
    }

    /// SIGKILL to the child's group (or the child), then reaps it.
    @discardableResult
    public func kill() -> Termination? {
        signal(SIGKILL, group: true)
        return wait(timeout: .seconds(10))
    }

    /// SIGTERM, then SIGKILL if it has not ended within `grace`; returns how it ended.
    @discardableResult
    public func terminate(grace: Duration = .seconds(5)) -> Termination? {
        signal(SIGTERM)
        if let ended = wait(timeout: grace) { return ended }
        return kill()
    }

    /// Whether the child has not been reaped yet (it may be a zombie a moment before `wait` sees it).
    public var isRunning: Bool { poll() == nil }

    /// Waits until the child ends or `timeout` passes; nil while it still runs.
    @discardableResult
    public func wait(timeout: Duration) -> Termination? {
        var result: Termination?
        _ = waitUntil(timeout: timeout, poll: .milliseconds(5)) {
            result = poll()
            return result != nil
        }
        return result
    }

    private func poll() -> Termination? {
        termination.withLock { state in
            if let state { return state }
            var status: Int32 = 0
            let r = waitpid(pid, &status, WNOHANG)
            guard r == pid else { return nil }
            state = batch_wifexited(status) != 0
                ? .exited(batch_wexitstatus(status)) : .signaled(batch_wtermsig(status))
            return state
        }
    }
}

/// What the reader threads collect; shared with them apart from the `ChildProcess` itself.
private final class CapturedOutput: Sendable {
    let out = Mutex<[UInt8]>([])
    let err = Mutex<[UInt8]>([])
    /// Captured streams not yet at end of file.
    let openStreams = Atomic<Int>(0)
}
