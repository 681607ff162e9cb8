import CSystem
import Glibc

/// A system call that failed: which call, and its `errno`.
///
/// The one error of the process↔kernel boundary (after swift-nio's `IOError`): every
/// caller of `syscall` gets the call's name with the code, so a message never says
/// only "Resource temporarily unavailable".
public struct SystemCallError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The call as the caller named it: `read`, `epoll_wait`, `waitpid`.
    public let call: StaticString
    /// The `errno` it set.
    public let errno: Int32

    @inlinable
    public init(call: StaticString, errno: Int32) {
        self.call = call
        self.errno = errno
    }

    /// `strerror(errno)`.
    public var reason: String { String(cString: strerror(errno)) }

    /// `read: Bad file descriptor (errno 9)`.
    public var description: String { "\(call): \(reason) (errno \(errno))" }

    public static func == (a: SystemCallError, b: SystemCallError) -> Bool {
        a.errno == b.errno && a.call.description == b.call.description
    }
}

/// Runs a system call that reports failure as -1 with `errno`: retries it while it is
/// interrupted by a signal (`EINTR`) and throws any other failure, naming `call`.
///
/// Inlined and allocation-free on success (typed throws: nothing is boxed), so it
/// belongs on hot paths too. Not for `close(2)`, which must not be retried on Linux.
@inlinable
@discardableResult
public func syscall<T: FixedWidthInteger & SignedInteger>(_ call: StaticString, _ body: () -> T) throws(SystemCallError) -> T {
    while true {
        let result = body()
        if result != -1 { return result }
        let code = batch_errno()
        if code == EINTR { continue }
        throw SystemCallError(call: call, errno: code)
    }
}

/// `syscall` for non-blocking descriptors: `nil` when the call would block
/// (`EAGAIN`/`EWOULDBLOCK`), which is an answer rather than a failure there.
@inlinable
public func nonBlockingSyscall<T: FixedWidthInteger & SignedInteger>(_ call: StaticString, _ body: () -> T) throws(SystemCallError) -> T? {
    while true {
        let result = body()
        if result != -1 { return result }
        let code = batch_errno()
        if code == EINTR { continue }
        if code == EAGAIN || code == EWOULDBLOCK { return nil }
        throw SystemCallError(call: call, errno: code)
    }
}

/// Writes `bytes` whole to `fd` (a blocking descriptor), however many `write(2)`s that takes.
/// A failure part-way throws; the bytes before it were written. A write that accepts
/// nothing throws as `EIO`, so a caller can never spin on it.
@inlinable
public func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws(SystemCallError) {
    guard var next = bytes.baseAddress else { return }
    var left = bytes.count
    while left > 0 {
        let n = try syscall("write") { Glibc.write(fd, next, left) }
        if n == 0 { throw SystemCallError(call: "write", errno: EIO) }
        next += n
        left -= n
    }
}

/// `writeAll` for an array (`Array.withUnsafeBytes` rethrows untyped, so the wrapping is done once here).
@inlinable
public func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws(SystemCallError) {
    let failure = bytes.withUnsafeBytes { buffer -> SystemCallError? in
        do throws(SystemCallError) { try writeAll(fd, buffer) } catch { return error }
        return nil
    }
    if let failure { throw failure }
}

/// Sleeps the calling thread for `duration` (nothing for zero or less), sleeping on after a
/// signal for what was left. For threads of their own, never the cooperative pool.
public func sleepBlocking(_ duration: Duration) {
    var request = duration.timespec
    var remaining = timespec()
    while nanosleep(&request, &remaining) == -1 && batch_errno() == EINTR { request = remaining }
}
