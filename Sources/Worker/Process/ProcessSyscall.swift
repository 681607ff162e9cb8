import CSystem
import Glibc
import Platform

/// The process layer's syscalls, through Platform's `syscall` (which retries EINTR), with the failure as a value.
enum ProcessSyscall {
    /// A pipe whose both ends are close-on-exec: `(read, write)`.
    static func pipe() -> Result<(Int32, Int32), SystemCallError> {
        var fds: [Int32] = [-1, -1]
        do { try syscall("pipe2") { pipe2(&fds, O_CLOEXEC) } } catch { return .failure(error) }
        return .success((fds[0], fds[1]))
    }

    static func setNonBlocking(_ fd: Int32) -> Int32? {
        let flags = fcntl(fd, F_GETFL)
        if flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0 { return batch_errno() }
        return nil
    }

    static func close(_ fd: Int32) {
        if fd >= 0 { _ = Glibc.close(fd) }  // EINTR on close must not be retried on Linux.
    }

    /// `read(2)`: bytes read, 0 at end of file, nil when it would block, or the failure.
    @inline(__always)
    static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> Result<Int?, SystemCallError> {
        Result { () throws(SystemCallError) in try nonBlockingSyscall("read") { Glibc.read(fd, buffer.baseAddress, buffer.count) } }
    }

    /// `write(2)`: bytes written, nil when it would block, or the failure.
    @inline(__always)
    static func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Result<Int?, SystemCallError> {
        Result { () throws(SystemCallError) in try nonBlockingSyscall("write") { Glibc.write(fd, bytes.baseAddress, bytes.count) } }
    }

    /// Signals a process group; a group that is already gone is not an error.
    static func killGroup(_ pgid: pid_t, _ signal: Int32) {
        precondition(pgid > 1, "refusing to signal process group \(pgid)")
        _ = Glibc.kill(-pgid, signal)
    }

    /// Reaps `pid`, which must be a child of this process that has exited.
    static func reap(_ pid: pid_t) -> ExitStatus {
        var status: Int32 = 0
        // Someone else reaped it (a waitpid(-1) elsewhere in the process, or
        // SIGCHLD set to SIG_IGN): the status is lost.
        guard (try? syscall("waitpid") { waitpid(pid, &status, 0) }) == pid else { return .exited(-1) }
        if batch_wifsignaled(status) != 0 { return .signaled(batch_wtermsig(status)) }
        return .exited(batch_wexitstatus(status))
    }

    static func epollAdd(_ epfd: Int32, _ fd: Int32, events: UInt32, token: UInt64) -> Int32? {
        var ev = epoll_event()
        batch_epoll_event_set(&ev, events, token)
        return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) == 0 ? nil : batch_errno()
    }

    static func epollRemove(_ epfd: Int32, _ fd: Int32) {
        var ev = epoll_event()
        _ = epoll_ctl(epfd, EPOLL_CTL_DEL, fd, &ev)
    }

    static func writeStderr(_ text: String) {
        var line = text
        line.append("\n")
        line.utf8CString.withUnsafeBytes { raw in
            _ = Glibc.write(2, raw.baseAddress, raw.count - 1)
        }
    }
}
