import CSystem
import Glibc
import Testing
import Platform

struct SyscallTests {
    @Test func aCallInterruptedBySignalIsRetriedUntilItAnswers() throws {
        var calls = 0
        let n = try syscall("read") { () -> Int in
            calls += 1
            if calls < 3 { batch_set_errno(EINTR); return -1 }
            return 7
        }
        #expect(n == 7)
        #expect(calls == 3)
    }

    @Test func aFailureNamesTheCallAndItsErrno() {
        #expect(throws: SystemCallError(call: "read", errno: EBADF)) {
            try syscall("read") { () -> Int in Glibc.read(-1, nil, 0) }
        }
        let error = SystemCallError(call: "epoll_wait", errno: EBADF)
        #expect(error.description == "epoll_wait: Bad file descriptor (errno 9)")
    }

    @Test func wouldBlockIsAnAnswerOnlyForNonBlockingCalls() throws {
        var fds: [Int32] = [-1, -1]
        #expect(pipe2(&fds, O_CLOEXEC | O_NONBLOCK) == 0)
        defer { close(fds[0]); close(fds[1]) }
        var byte: UInt8 = 0
        let empty = try nonBlockingSyscall("read") { Glibc.read(fds[0], &byte, 1) }
        #expect(empty == nil)
        #expect(throws: SystemCallError(call: "read", errno: EAGAIN)) {
            try syscall("read") { Glibc.read(fds[0], &byte, 1) }
        }
        var one: UInt8 = 42
        #expect(try nonBlockingSyscall("write") { Glibc.write(fds[1], &one, 1) } == 1)
        #expect(try nonBlockingSyscall("read") { Glibc.read(fds[0], &byte, 1) } == 1)
        #expect(byte == 42)
    }

    @Test func writeAllWritesEveryByteAndNamesTheCallThatFailed() throws {
        var fds: [Int32] = [-1, -1]
        #expect(pipe2(&fds, O_CLOEXEC) == 0)
        defer { close(fds[0]); close(fds[1]) }
        let text = Array("hello, kernel".utf8)
        try text.withUnsafeBytes { try writeAll(fds[1], $0) }
        var back = [UInt8](repeating: 0, count: 64)
        let n = back.withUnsafeMutableBytes { Glibc.read(fds[0], $0.baseAddress, $0.count) }
        #expect(Array(back[0..<n]) == text)
        #expect(throws: SystemCallError(call: "write", errno: EBADF)) {
            try text.withUnsafeBytes { try writeAll(-1, $0) }
        }
    }
}

struct DurationUnitsTests {
    @Test(arguments: [
        (Duration.milliseconds(1500), Int64(1500), Int64(1_500_000_000)),
        (.nanoseconds(999_999), 0, 999_999),
        (.milliseconds(-2), -2, -2_000_000),
        (.seconds(Int64.max), .max, .max),
        (.seconds(Int64.min), .min, .min),
    ])
    func integerUnitsRoundTowardZeroAndSaturate(_ d: Duration, _ ms: Int64, _ ns: Int64) {
        #expect(d.inMilliseconds == ms)
        #expect(d.inNanoseconds == ns)
    }

    @Test func clampedNanosecondsAreNeverNegativeNorUnbounded() {
        #expect(Duration.seconds(-1).nanosecondsClamped == 0)
        #expect(Duration.microseconds(3).nanosecondsClamped == 3_000)
        #expect(Duration.seconds(Int64.max).nanosecondsClamped == 1_000_000_000_000_000_000)
    }

    @Test func cStructsCarryTheSameInstant() {
        let ts = Duration.milliseconds(2_250).timespec
        #expect(ts.tv_sec == 2 && ts.tv_nsec == 250_000_000)
        let tv = Duration.milliseconds(2_250).timeval
        #expect(tv.tv_sec == 2 && tv.tv_usec == 250_000)
        #expect(Duration.seconds(-3).timespec.tv_sec == 0)
        #expect(Duration.milliseconds(1_500).inSeconds == 1.5)
    }
}
