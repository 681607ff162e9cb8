import FoundationEssentials
import Platform
import Glibc

/// One running child as the engine's loop sees it. Confined to the loop thread.
final class ChildState {
    let id: UInt64
    let pid: pid_t
    let pidfd: Int32
    var stdinFD: Int32
    var stdinData: [UInt8]
    var stdinOffset = 0
    var stdinWatched = false
    /// stdout and stderr, -1 once at end of file.
    var outputFD: [Int32]
    var splitters: [LineSplitter]
    var budget: LineBudget

    var lifecycle: ChildLifecycle

    var pending: [OutputLine] = []
    var outputLines = 0
    var outputBytes = 0
    var droppedLines = 0
    var droppedBytes = 0
    private var unreportedLines = 0
    private var unreportedBytes = 0
    private var lastDropReport: UInt64 = 0

    let onEvent: @Sendable (ProcessEvent) -> Void
    let onExit: @Sendable (ProcessOutcome) -> Void
    let box: OutcomeBox
    let reaper: LeaseReaper?
    let startedAt: Date
    let wallClock: @Sendable () -> Date
    let rawOutput: RawOutputSink?

    init(id: UInt64, spawned: SpawnedChild, request: SpawnRequest, now: UInt64) {
        self.id = id
        pid = spawned.pid
        pidfd = spawned.pidfd
        stdinFD = spawned.stdin
        stdinData = request.spec.stdin
        outputFD = [spawned.stdout, spawned.stderr]
        splitters = Array(repeating: LineSplitter(maxLineBytes: request.spec.maxLineBytes), count: 2)
        budget = LineBudget(perSecond: request.spec.maxLinesPerSecond)
        lifecycle = ChildLifecycle(timeoutAt: request.spec.timeout.map { now &+ $0.nanosecondsClamped },
                                   graceNanos: request.spec.killGrace.nanosecondsClamped)
        onEvent = request.onEvent
        onExit = request.onExit
        box = request.box
        reaper = request.spec.leaseDeadline == nil ? nil : request.reaper
        startedAt = request.startedAt
        wallClock = request.wallClock
        rawOutput = request.spec.rawOutput
    }

    var outputClosed: Bool { outputFD[0] < 0 && outputFD[1] < 0 }

    /// Splits a chunk read from stdout (0) or stderr (1) into lines and events.
    func consume(_ chunk: UnsafeRawBufferPointer, stream index: Int, now: UInt64) {
        outputBytes += chunk.count
        rawOutput?.write(chunk)
        let stream: StandardStream = index == 0 ? .stdout : .stderr
        splitters[index].feed(chunk, admit: { budget.admit(now: now) }, emit: { take($0, stream, now) })
    }

    /// Ends a stream: its unterminated last line, if any, is delivered.
    func finishStream(_ index: Int, now: UInt64) {
        let stream: StandardStream = index == 0 ? .stdout : .stderr
        splitters[index].finish { take($0, stream, now) }
    }

    private func take(_ result: SplitResult, _ stream: StandardStream, _ now: UInt64) {
        switch result {
        case .line(let bytes, let truncated):
            outputLines += 1
            if !truncated, let percent = ProgressLine.parse(bytes) {
                flush(now: now)
                onEvent(.progress(percent))
                return
            }
            pending.append(OutputLine(stream: stream, text: String(decoding: bytes, as: UTF8.self), truncated: truncated))
            // Bounds the batch when the budget allows many lines a second.
            if pending.count >= 256 { flush(now: now) }
        case .dropped(let bytes):
            outputLines += 1
            droppedLines += 1; droppedBytes += bytes
            unreportedLines += 1; unreportedBytes += bytes
        case .cut(let bytes):
            droppedBytes += bytes
        }
    }

    /// Delivers the pending lines, and a drop report at most once a second (or when `final`).
    func flush(now: UInt64, final: Bool = false) {
        if !pending.isEmpty {
            let batch = pending
            pending = []
            onEvent(.output(batch))
        }
        if unreportedLines > 0, final || now &- lastDropReport >= 1_000_000_000 {
            onEvent(.dropped(lines: unreportedLines, bytes: unreportedBytes))
            unreportedLines = 0; unreportedBytes = 0; lastDropReport = now
        }
    }
}
