import CSystem
import Foundation
import Synchronization
import Testing
@testable import Daemon

/// Collects the lines a logger emits.
final class LineCollector: Sendable {
    private let store = Mutex<[String]>([])
    var lines: [String] { store.withLock { $0 } }
    func sink(journal: Bool = false) -> LogSink {
        LogSink(isJournal: journal) { line in self.store.withLock { $0.append(line) } }
    }
}

struct LoggerTests {
    // 2026-11-25T12:00:00.123Z
    static let fixed = Date(timeIntervalSince1970: 1_795_608_000.123)

    @Test func aRepeatedFailureIsLoggedOnceAWindowWithTheCountHeldBack() {
        let c = LineCollector()
        let label = "t\(UInt32.random(in: 0...UInt32.max))"  // the throttle is process-wide: a label of its own
        let log = Logger(label: label, sink: c.sink(), clock: { Self.fixed })
        for _ in 0..<50 { log.repeated(.warning, "claim failed", ["error": "down"], window: .milliseconds(200)) }
        #expect(c.lines.count == 1)
        #expect(c.lines.first?.contains("claim failed error=down") == true)
        // Another message is not held back by the first one's window.
        log.repeated(.warning, "heartbeat failed")
        #expect(c.lines.count == 2)
        let clock = ContinuousClock()
        let end = clock.now + .milliseconds(250)
        while clock.now < end { Thread.sleep(forTimeInterval: 0.01) }  // the window passing is the thing under test
        log.repeated(.warning, "claim failed", ["error": "down"], window: .milliseconds(200))
        #expect(c.lines.count == 3)
        #expect(c.lines.last?.contains("repeated=\"49 more in the last 200ms\"") == true, "\(c.lines)")
    }

    @Test func writesTimestampLevelLabelMessageAndFieldsInOrder() {
        let c = LineCollector()
        let log = Logger(label: "gateway", sink: c.sink(), clock: { Self.fixed })
        log.info("execution queued", ["id": "01JABC", "job": "report"])
        #expect(c.lines == ["2026-11-25T12:00:00.123Z info  gateway: execution queued id=01JABC job=report\n"])
    }

    @Test(arguments: [
        ("plain", "plain"),
        ("", "\"\""),
        ("two words", "\"two words\""),
        ("a=b", "\"a=b\""),
        ("say \"hi\"", "\"say \\\"hi\\\"\""),
        ("back\\slash", "\"back\\\\slash\""),
        ("line\nbreak", "\"line\\nbreak\""),
        ("tab\there", "\"tab\\there\""),
        ("bell\u{07}", "\"bell\\x07\""),
        ("ünïcode", "ünïcode"),
    ])
    func quotesAndEscapesValuesThatWouldBreakParsing(value: String, expected: String) {
        #expect(LogFormat.quoteValue(value) == expected)
    }

    @Test func messageNewlinesNeverSplitTheLine() {
        let line = LogFormat.line(level: .error, label: "w", message: "boom\nsecond", fields: [("k", "v")],
                                  time: nil, journal: false)
        #expect(line == "error w: boom\\nsecond k=v\n")
        #expect(line.filter { $0 == "\n" }.count == 1)
    }

    @Test func keysWithOddCharactersAreMadeSafe() {
        let line = LogFormat.line(level: .info, label: "w", message: "m", fields: [("bad key=", "v"), ("", "x")],
                                  time: nil, journal: false)
        #expect(line == "info  w: m bad_key_=v _=x\n")
    }

    @Test(arguments: [
        (LogLevel.debug, "<7>debug s: m\n"),
        (.info, "<6>info  s: m\n"),
        (.notice, "<5>notice s: m\n"),
        (.warning, "<4>warning s: m\n"),
        (.error, "<3>error s: m\n"),
    ])
    func journalLinesCarryPriorityAndNoTimestamp(level: LogLevel, expected: String) {
        let c = LineCollector()
        let log = Logger(label: "s", threshold: .debug, sink: c.sink(journal: true), clock: { Self.fixed })
        log.log(level, "m")
        #expect(c.lines == [expected])
    }

    @Test func dropsLinesBelowThresholdWithoutEvaluatingThem() {
        let c = LineCollector()
        let log = Logger(label: "s", threshold: .warning, sink: c.sink(), clock: { Self.fixed })
        let evaluated = Mutex(false)
        log.info({ evaluated.withLock { $0 = true }; return "hidden" }())
        log.warning("shown")
        #expect(c.lines.count == 1)
        #expect(c.lines[0].contains("warning s: shown"))
        #expect(evaluated.withLock { $0 } == false)
    }

    @Test func childLoggerAppendsItsFixedFieldsAfterTheEventFields() {
        let c = LineCollector()
        let base = Logger(label: "worker", sink: c.sink(), clock: { Self.fixed })
        let child = base.with(["daemon": "worker-a"]).with(["slot": "2"])
        child.notice("started", ["id": "X"])
        base.info("plain")
        #expect(c.lines[0].hasSuffix("notice worker: started id=X daemon=worker-a slot=2\n"))
        #expect(c.lines[1].hasSuffix("info  worker: plain\n"))
    }

    @Test(arguments: ["debug", "INFO", "notice", "warn", "warning", "error"])
    func parsesLevelNames(name: String) {
        #expect(LogLevel(name: name) != nil)
    }

    @Test func refusesUnknownLevelName() {
        #expect(LogLevel(name: "verbose") == nil)
    }

    @Test func timestampsAreUTCWithMilliseconds() {
        #expect(LogFormat.timestamp(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(LogFormat.timestamp(Date(timeIntervalSince1970: 951_825_599.999)) == "2000-02-29T11:59:59.999Z")
    }

    @Test func recognisesJournalStreamOnlyWhenDeviceAndInodeMatch() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe2(&fds, O_CLOEXEC) == 0)
        defer { close(fds[0]); close(fds[1]) }
        var st = stat()
        #expect(fstat(fds[1], &st) == 0)
        let matching = "\(st.st_dev):\(st.st_ino)"
        #expect(FileDescriptorLogWriter.isJournalStream(fd: fds[1], journalStream: matching))
        #expect(!FileDescriptorLogWriter.isJournalStream(fd: fds[1], journalStream: "\(st.st_dev):\(st.st_ino + 1)"))
        #expect(!FileDescriptorLogWriter.isJournalStream(fd: fds[1], journalStream: nil))
        #expect(!FileDescriptorLogWriter.isJournalStream(fd: fds[1], journalStream: "garbage"))
    }

    @Test func concurrentWritersNeverInterleaveLines() async throws {
        var fds: [Int32] = [0, 0]
        // Close-on-exec: a child that another test spawns meanwhile must not inherit the write
        // end, or the reader below never sees end of file (a test hung on a long-lived gateway).
        #expect(pipe2(&fds, O_CLOEXEC) == 0)
        defer { close(fds[0]) }
        let log = Logger(label: "t", sink: .fileDescriptor(fds[1]), clock: { Self.fixed })
        let writerFD = fds[1]
        let readerFD = fds[0]
        // Read on a thread of its own (not the cooperative pool, which other tests
        // may occupy) so a full pipe never blocks the writers.
        let collected = Mutex<[UInt8]>([])
        let finished = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            var buf = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = buf.withUnsafeMutableBytes { read(readerFD, $0.baseAddress, $0.count) }
                if n <= 0 { break }
                collected.withLock { $0 += buf[0..<n] }
            }
            finished.signal()
        }
        let long = String(repeating: "x", count: 8000)  // longer than PIPE_BUF: the lock keeps it whole
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                DispatchQueue.concurrentPerform(iterations: 8) { i in
                    for j in 0..<50 { log.info("line", ["writer": String(i), "n": String(j), "pad": long]) }
                }
                close(writerFD)
                c.resume()
            }
        }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread { finished.wait(); c.resume() }
        }
        let text = String(decoding: collected.withLock { $0 }, as: UTF8.self)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 400)
        let bad = lines.filter { !($0.hasPrefix("2026-11-25T12:00:00.123Z info  t: line writer=") && $0.hasSuffix(long)) }
        #expect(bad.isEmpty, "\(bad.first.map { String($0.prefix(120)) } ?? "")")
    }
}
