import Dispatch
import Glibc
import Synchronization
import Testing
@testable import Platform

struct DetachedThreadTests {
    /// The calling thread's name as the kernel keeps it.
    static func currentName() -> String {
        let fd = open("/proc/thread-self/comm", O_RDONLY)
        guard fd >= 0 else { return "?" }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 64)
        let n = read(fd, &buffer, buffer.count)
        return String(decoding: buffer.prefix(max(0, n)), as: UTF8.self).trimmingSuffix("\n")
    }

    struct Seen: Sendable { var name = ""; var thread: UInt = 0 }

    func run(name: String, stackSize: Int? = nil) -> Seen? {
        let seen = Mutex<Seen?>(nil)
        let done = DispatchSemaphore(value: 0)
        startThread(name: name, stackSize: stackSize) {
            seen.withLock { $0 = Seen(name: Self.currentName(), thread: UInt(bitPattern: Int(bitPattern: pthread_self()))) }
            done.signal()
        }
        guard done.wait(timeout: .now() + 30) == .success else { return nil }
        return seen.withLock { $0 }
    }

    @Test(arguments: [
        ("batch-signals", "batch-signals"),
        ("http-loop-12", "http-loop-12"),
        ("redis async 16 of many", "redis async 16 "),
        // 14 bytes, then a 2-byte letter that would pass the kernel's 15: cut before it.
        ("abcdefghijklmné", "abcdefghijklmn"),
    ])
    func runsTheBodyOnANewThreadWithItsNameCutTo15Bytes(name: String, expected: String) throws {
        let seen = try #require(run(name: name), "the thread did not run within 30 s")
        #expect(seen.name == expected)
        #expect(seen.thread != UInt(bitPattern: Int(bitPattern: pthread_self())))
    }

    @Test func runsWithAChosenStackSize() throws {
        let seen = try #require(run(name: "small-stack", stackSize: 1 << 20), "the thread did not run within 30 s")
        #expect(seen.name == "small-stack")
    }

    @Test func manyThreadsEachRunTheirBodyOnce() {
        let runs = Mutex<[Int]>([])
        let done = DispatchSemaphore(value: 0)
        for i in 0..<50 {
            startThread(name: "t\(i)") {
                runs.withLock { $0.append(i) }
                done.signal()
            }
        }
        for _ in 0..<50 { #expect(done.wait(timeout: .now() + 30) == .success) }
        #expect(runs.withLock { $0.sorted() } == Array(0..<50))
    }
}

private extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
