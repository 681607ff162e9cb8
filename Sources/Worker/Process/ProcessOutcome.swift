import FoundationEssentials

/// How the child's main process ended.
public enum ExitStatus: Sendable, Hashable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    public var description: String {
        switch self {
        case .exited(let code): return "exit code \(code)"
        case .signaled(let sig): return "signal \(sig)"
        }
    }
}

/// Why the child ended.
public enum EndCause: String, Sendable, Hashable {
    /// It ended on its own (or was killed by something else than the runner).
    case natural
    /// The runner stopped it because `ProcessSpec.timeout` passed.
    case timedOut
    /// The runner stopped it because `RunningProcess.cancel()` or `terminate(grace:)` was called.
    case cancelled
}

/// The end of a run: status, cause, times and output counts.
public struct ProcessOutcome: Sendable, Hashable {
    public var status: ExitStatus
    public var cause: EndCause
    public var startedAt: Date
    public var endedAt: Date
    /// Every line the child printed on stdout and stderr, delivered or not
    /// (progress lines included).
    public var outputLines: Int
    /// Every byte the child printed on stdout and stderr.
    public var outputBytes: Int
    /// Lines not delivered because they were over the per-second budget.
    public var droppedLines: Int
    /// Bytes not delivered: dropped lines and the cut-off parts of long lines.
    public var droppedBytes: Int

    public init(status: ExitStatus, cause: EndCause, startedAt: Date, endedAt: Date,
                outputLines: Int, outputBytes: Int, droppedLines: Int, droppedBytes: Int) {
        self.status = status; self.cause = cause; self.startedAt = startedAt; self.endedAt = endedAt
        self.outputLines = outputLines; self.outputBytes = outputBytes
        self.droppedLines = droppedLines; self.droppedBytes = droppedBytes
    }
}
