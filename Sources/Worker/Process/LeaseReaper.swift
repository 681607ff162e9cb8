import CSystem
import Glibc
import Platform
import Synchronization

/// The worker's side of its lease reaper (see `ReaperProcess`): a process started
/// with the worker, outside it, that kills each job's process group when its lease
/// deadline passes without a renewal, and every group when the worker dies.
///
/// The engine watches a group as soon as it spawned it and forgets it just before
/// it reaps the group's leader (so a pid that is reused later is never signalled);
/// the worker moves the deadline after each lease renewal. Messages are written
/// under one lock in the order the table changes, and a renewal of a group that is
/// not watched any more is dropped. When the reaper dies (someone killed it), a
/// new one is started and given every group still watched.
public final class LeaseReaper: Sendable {
    /// The argument that makes `batch-worker` run as a reaper.
    public static let modeArgument = "--lease-reaper"

    /// Runs as the reaper, never returning, when `arguments` (without the program name) ask for it.
    public static func runIfAsked(_ arguments: [String]) {
        if arguments.first == modeArgument { ReaperProcess.run() }
    }

    private struct State: Sendable {
        var fd: Int32
        var pid: pid_t
        var watched: [Int32: Int64] = [:]
        var stopped = false
    }

    private let state: Mutex<State>
    private let executable: String
    private let warn: @Sendable (String) -> Void

    /// Starts the reaper process.
    /// - Parameters:
    ///   - executable: the program that runs as a reaper given `modeArgument`: by default
    ///     this very program (its path read from `/proc/self/exe`).
    ///   - warn: where trouble with the reaper is reported (a message without level or fields).
    public init(executable: String? = nil, warn: @escaping @Sendable (String) -> Void) throws(SpawnError) {
        let program = executable ?? Self.ownExecutable()
        self.executable = program
        self.warn = warn
        let (pid, fd) = try Self.spawn(program)
        state = Mutex(State(fd: fd, pid: pid))
        watchOver(pid)
    }

    /// The reaper's pid (for tests and logs).
    public var pid: Int32 { state.withLock { $0.pid } }

    /// Watches a group until `deadline` (monotonic ms, `WorkerClock`).
    func watch(_ pgid: Int32, deadline: Int64) {
        state.withLock { s in
            s.watched[pgid] = deadline
            send(ReaperTable.line(.watch(pgid: pgid, deadline: deadline)), &s)
        }
    }

    /// Moves the deadlines of groups still watched; others are ended already and left alone.
    func renew(_ items: [(pgid: Int32, deadline: Int64)]) {
        guard !items.isEmpty else { return }
        state.withLock { s in
            var text = ""
            for (pgid, deadline) in items where s.watched[pgid] != nil {
                s.watched[pgid] = deadline
                text += ReaperTable.line(.watch(pgid: pgid, deadline: deadline))
            }
            if !text.isEmpty { send(text, &s) }
        }
    }

    /// Stops watching a group; call before its leader is reaped.
    func forget(_ pgid: Int32) {
        state.withLock { s in
            guard s.watched.removeValue(forKey: pgid) != nil else { return }
            send(ReaperTable.line(.forget(pgid: pgid)), &s)
        }
    }

    /// Groups watched now.
    var watchedCount: Int { state.withLock { $0.watched.count } }

    private func send(_ text: String, _ s: inout State) {
        guard s.fd >= 0 else { return }
        do {
            try writeAll(s.fd, Array(text.utf8))
        } catch {
            // EPIPE: the reaper died; the watcher thread starts another and replays the table.
            warn("lease reaper: cannot write to it: \(error.reason); a new one is being started")
            Glibc.close(s.fd)
            s.fd = -1
        }
    }

    /// Waits for the reaper on a thread of its own; starts another if it ends.
    private func watchOver(_ pid: pid_t) {
        startThread(name: "lease-reaper") { [self] in
            var status: Int32 = 0
            _ = try? syscall("waitpid") { waitpid(pid, &status, 0) }
            var backoff: UInt32 = 100_000
            while true {
                do throws(SpawnError) {
                    let (newPID, fd) = try Self.spawn(executable)
                    state.withLock { s in
                        if s.fd >= 0 { Glibc.close(s.fd) }
                        s.fd = fd
                        s.pid = newPID
                        let replay = s.watched.map { ReaperTable.line(.watch(pgid: $0.key, deadline: $0.value)) }.joined()
                        if !replay.isEmpty { send(replay, &s) }
                    }
                    warn("lease reaper pid \(pid) ended (wait status \(status)); started another, pid \(newPID)")
                    watchOver(newPID)
                    return
                } catch {
                    warn("lease reaper pid \(pid) ended and cannot be started again: \(error.description)")
                    usleep(backoff)
                    backoff = min(backoff * 2, 5_000_000)
                }
            }
        }
    }

    /// This program's path, so the reaper shows as `batch-worker` in `ps`; `/proc/self/exe`
    /// when the file was replaced (an upgrade), which still names the running binary.
    private static func ownExecutable() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return "/proc/self/exe" }
        let path = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return path.hasSuffix(" (deleted)") || access(path, X_OK) != 0 ? "/proc/self/exe" : path
    }

    /// Starts the reaper with its stdin on a new pipe: its pid and the pipe's write end.
    private static func spawn(_ program: String) throws(SpawnError) -> (pid_t, Int32) {
        let ends: (read: Int32, write: Int32)
        switch ProcessSyscall.pipe() {
        case .success(let pair): ends = pair
        case .failure(let e): throw SpawnError(program: program, operation: "pipe2", code: e.errno)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, ends.read, 0)
        posix_spawn_file_actions_addclosefrom_np(&actions, 3)
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup(program), strdup(modeArgument), nil]
        defer { argv.forEach { free($0) } }
        // A group of its own: a signal to the worker's group (a terminal's ^Z or ^C) leaves it running.
        let r = Spawner.withChildAttributes { attr in
            argv.withUnsafeBufferPointer { a in posix_spawn(&pid, program, &actions, &attr, a.baseAddress!, environ) }
        }
        ProcessSyscall.close(ends.read)
        if r != 0 {
            ProcessSyscall.close(ends.write)
            throw SpawnError(program: program, operation: "posix_spawn \(program) \(modeArgument)", code: r)
        }
        return (pid, ends.write)
    }
}
