import CSystem
import Daemon
import FoundationEssentials
import Glibc
import Platform

/// The lease reaper's own program: `batch-worker` started again (through
/// `/proc/self/exe`) with `LeaseReaper.modeArgument`, by `LeaseReaper.start`.
///
/// It reads `ReaperTable` messages from its stdin, a pipe whose other end only the
/// worker holds, and kills (SIGKILL) each process group whose deadline passes
/// without a renewal: a worker that is stopped (SIGSTOP, a debugger, a stalled
/// host thread) cannot renew, so its children die before another worker can take
/// their attempts. When the pipe closes, the worker is gone (even by `kill -9`):
/// every group it still held is killed at once, and the reaper exits.
///
/// It runs in a process group of its own, ignores the signals that ask a process to
/// stop politely (its life is the pipe's), and allocates nothing per message beyond a line.
enum ReaperProcess {
    static func run() -> Never {
        for s in [SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGTSTP, SIGTTIN, SIGTTOU] { signal(s, SIG_IGN) }
        var table = ReaperTable()
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let now = WorkerClock.monotonicMillis()
            kill(table.due(now: now), because: "its lease was not renewed in time (the worker is stopped or stuck)")
            let next = table.nextDeadline
            var pfd = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
            let ready: Int32
            do {
                // After a signal the wait is retried with what is left of it, not all of it again.
                ready = try syscall("poll") {
                    poll(&pfd, 1, next.map { Int32(clamping: max(0, $0 - WorkerClock.monotonicMillis())) } ?? -1)
                }
            } catch {
                say("poll on the worker's pipe failed: \(error.reason); killing every job and exiting")
                finish(&table)
            }
            if ready == 0 { continue }
            let got: Int?
            do {
                got = try nonBlockingSyscall("read") { buffer.withUnsafeMutableBytes { Glibc.read(0, $0.baseAddress, $0.count) } }
            } catch {
                say("reading the worker's pipe failed: \(error.reason); killing every job and exiting")
                finish(&table)
            }
            guard let n = got else { continue }
            if n == 0 { finish(&table) }
            pending += buffer[0..<n]
            var start = 0
            for i in pending.indices where pending[i] == UInt8(ascii: "\n") {
                let text = String(decoding: pending[start..<i], as: UTF8.self)
                if let m = ReaperTable.parse(Substring(text)) { table.apply(m) }
                start = i + 1
            }
            pending.removeFirst(start)
            // A line is a few dozen bytes: a longer one is not of the protocol.
            if pending.count > 4096 { pending = [] }
        }
    }

    /// The worker closed its end: it is gone, and so must its jobs be.
    private static func finish(_ table: inout ReaperTable) -> Never {
        kill(table.takeAll(), because: "the worker is gone")
        exit(0)
    }

    private static func kill(_ groups: [Int32], because reason: String) {
        guard !groups.isEmpty else { return }
        for pgid in groups where pgid > 1 { _ = Glibc.kill(-pgid, SIGKILL) }
        say("killed \(groups.count) job process group(s) (SIGKILL): \(reason)", groups: groups)
    }

    /// One logfmt line on the worker's stderr, with the wall-clock time the groups were
    /// signalled and every group (a worker holds at most its slots), so an operator, or a
    /// test, can tell when each job was killed.
    private static func say(_ message: String, groups: [Int32] = []) {
        var line = "time=\(LogFormat.timestamp(Date())) level=error msg=\"lease reaper: \(message)\""
        if !groups.isEmpty { line += " pgids=\(groups.prefix(1000).map(String.init).joined(separator: ","))" }
        if groups.count > 1000 { line += " more=\(groups.count - 1000)" }
        ProcessSyscall.writeStderr(line)
    }
}
