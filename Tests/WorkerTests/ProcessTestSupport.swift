import Foundation
import Glibc
import Synchronization
@testable import Worker

/// Collects what a child reports, from the runner's thread.
final class EventLog: Sendable {
    private struct State {
        var lines: [OutputLine] = []
        var progress: [Int] = []
        var droppedLines = 0
        var droppedBytes = 0
        var batches = 0
    }
    private let state = Mutex(State())

    var onEvent: @Sendable (ProcessEvent) -> Void {
        { [self] event in
            state.withLock { s in
                switch event {
                case .output(let lines): s.lines += lines; s.batches += 1
                case .progress(let p): s.progress.append(p)
                case .dropped(let lines, let bytes): s.droppedLines += lines; s.droppedBytes += bytes
                }
            }
        }
    }

    var lines: [OutputLine] { state.withLock { $0.lines } }
    func texts(_ stream: StandardStream) -> [String] { lines.filter { $0.stream == stream }.map(\.text) }
    var progress: [Int] { state.withLock { $0.progress } }
    var dropped: (lines: Int, bytes: Int) { state.withLock { ($0.droppedLines, $0.droppedBytes) } }
}

/// Polls `condition` until it holds or `deadline` passes; true when it held.
func eventually(within deadline: Duration, _ condition: () -> Bool) async -> Bool {
    let clock = ContinuousClock()
    let end = clock.now + deadline
    while clock.now < end {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}

/// The outcome of `process` if it arrives within `deadline`.
func outcome(of process: RunningProcess, within deadline: Duration = .seconds(20)) async -> ProcessOutcome? {
    _ = await eventually(within: deadline) { process.outcome != nil }
    return process.outcome
}

/// Whether `pid` is a live process (a zombie counts as dead).
func isAlive(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return false }
    let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
    return state != "Z" && state != "X"
}

/// This process's resident set size in bytes.
func residentBytes() -> Int {
    guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = statm.split(separator: " ")
    return (fields.count > 1 ? Int(fields[1]) ?? 0 : 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
}

/// A spec with short limits suited to tests.
func testSpec(_ argv: [String], environment: [String: String] = ["PATH": "/usr/bin:/bin"],
              timeout: Duration? = .seconds(60), killGrace: Duration = .seconds(2),
              stdin: [UInt8] = [], maxLineBytes: Int = 16 * 1024, maxLinesPerSecond: Int = 10_000) -> ProcessSpec {
    ProcessSpec(argv: argv, environment: environment, stdin: stdin, timeout: timeout, killGrace: killGrace,
                maxLineBytes: maxLineBytes, maxLinesPerSecond: maxLinesPerSecond)
}

/// Runs `body` on a thread of its own (blocking work must stay off the cooperative pool).
func onThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: body()) }
        thread.start()
    }
}
