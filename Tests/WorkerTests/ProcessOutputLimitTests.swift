import Foundation
import Testing
@testable import Worker
import TestSupport

/// Output volume stays bounded: per-second line budget, cut long lines, flat memory.
// Exclusive: the memory tests read the whole process's RSS, which other tests' work would blur.
@Suite(.serialized, .blockingExclusively)
struct ProcessOutputLimitTests {
    let runner = ProcessRunner()

    @Test func linesBeyondThePerSecondBudgetAreDroppedAndCounted() async throws {
        let log = EventLog()
        let p = try await runner.start(testSpec(["seq", "1", "5000"], maxLinesPerSecond: 100), onEvent: log.onEvent)
        let end = try #require(await outcome(of: p))
        let delivered = log.texts(.stdout)
        #expect(end.outputLines == 5000)
        #expect(delivered.count >= 100 && delivered.count < 5000)
        #expect(delivered.prefix(100) == ArraySlice((1...100).map(String.init)))
        #expect(end.droppedLines == 5000 - delivered.count)
        #expect(log.dropped.lines == end.droppedLines)
        #expect(log.dropped.bytes == end.droppedBytes)
        let printed: Int = (1...5000).map { String($0).utf8.count + 1 }.reduce(0, +)
        #expect(end.outputBytes == printed)
    }

    @Test func aLongLineIsCutAndMarked() async throws {
        let log = EventLog()
        let script = "head -c 100000 /dev/zero | tr '\\0' a; echo; echo after"
        let p = try await runner.start(testSpec(["sh", "-c", script], maxLineBytes: 1000), onEvent: log.onEvent)
        let end = try #require(await outcome(of: p))
        #expect(log.lines == [OutputLine(stream: .stdout, text: String(repeating: "a", count: 1000), truncated: true),
                              OutputLine(stream: .stdout, text: "after")])
        #expect(end.droppedBytes == 99_000)
        #expect(end.droppedLines == 0)
    }

    @Test func a100MegabyteFloodDoesNotGrowMemory() async throws {
        // Warm up: the engine's thread and buffers exist before the baseline.
        _ = await outcome(of: try await runner.start(testSpec(["seq", "1", "1000"])))
        let before = residentBytes()
        let log = EventLog()
        let script = "head -c 100000000 /dev/zero | tr '\\0' a | fold -w 100"
        let p = try await runner.start(testSpec(["sh", "-c", script], maxLinesPerSecond: 1000), onEvent: log.onEvent)
        var peak = before
        _ = await eventually(within: .seconds(120)) {
            peak = max(peak, residentBytes())
            return p.outcome != nil
        }
        let end = try #require(p.outcome)
        #expect(end.status == .exited(0))
        #expect(end.outputLines == 1_000_000)
        // fold ends its last line without a newline.
        #expect(end.outputBytes == 100_999_999)
        #expect(end.droppedLines == 1_000_000 - log.lines.count)
        // RSS is the whole process's: no other blocking test runs meanwhile (the suite is
        // exclusive), but async suites still do, so leave some room. Holding the flood would
        // cost over 100 MB.
        #expect(peak - before < 16 << 20, "RSS grew from \(before >> 20) MB to \(peak >> 20) MB")
        print("flood: 101 MB in \(end.endedAt.timeIntervalSince(end.startedAt)) s, delivered \(log.lines.count) lines, RSS \(before >> 20) -> peak \(peak >> 20) MB")
    }

    @Test func a100SleepingChildrenCostLittleMemory() async throws {
        _ = await outcome(of: try await runner.start(testSpec(["true"])))
        let before = residentBytes()
        var running: [RunningProcess] = []
        for _ in 0..<100 {
            running.append(try await runner.start(testSpec(["sleep", "30"], killGrace: .seconds(1))))
        }
        let during = residentBytes()
        #expect(running.allSatisfy { $0.isRunning })
        for p in running { p.cancel() }
        #expect(await eventually(within: .seconds(15)) { running.allSatisfy { !$0.isRunning } })
        #expect(running.allSatisfy { $0.outcome?.cause == .cancelled })
        // Whole-process RSS, with async suites still running (see the flood test): a regression
        // (a buffer or a thread stack touched per child) costs far more than this.
        #expect(during - before < 16 << 20, "RSS grew from \(before >> 20) MB to \(during >> 20) MB")
        print("100 children: RSS \(before >> 20) MB -> \(during >> 20) MB (\((during - before) >> 10) KB)")
    }
}
