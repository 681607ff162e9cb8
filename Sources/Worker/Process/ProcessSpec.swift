import FoundationEssentials

/// What to run and under which limits. `argv[0]` is the program: a path, or a
/// name looked up in `environment["PATH"]` (or the worker's own PATH when the
/// job's environment has none). Nothing goes through a shell.
public struct ProcessSpec: Sendable {
    public var argv: [String]
    /// The child's whole environment: nothing of the worker's is inherited
    /// except what is listed here (see `JobEnvironment`).
    public var environment: [String: String]
    public var workingDirectory: String?
    /// Written to the child's stdin, which is then closed.
    public var stdin: [UInt8]
    /// The run ends as `.timedOut` when it lasts longer; nil for no limit.
    public var timeout: Duration?
    /// Time between SIGTERM and SIGKILL to the process group on cancel and timeout.
    public var killGrace: Duration
    /// A longer output line is cut at this many bytes and marked `truncated`.
    public var maxLineBytes: Int
    /// Lines beyond this many per second (stdout and stderr together) are dropped and counted.
    public var maxLinesPerSecond: Int
    /// Gets every byte read from stdout and stderr, before any limit (`worker.log-dir`).
    public var rawOutput: RawOutputSink?
    /// When the runner has a `LeaseReaper`: the instant (monotonic ms, `WorkerClock`) at which
    /// the reaper kills the process group unless the deadline is moved on; nil for none.
    public var leaseDeadline: Int64?

    public init(argv: [String], environment: [String: String] = [:], workingDirectory: String? = nil,
                stdin: [UInt8] = [], timeout: Duration? = nil, killGrace: Duration = .seconds(10),
                maxLineBytes: Int = 16 * 1024, maxLinesPerSecond: Int = 1_000) {
        self.argv = argv; self.environment = environment; self.workingDirectory = workingDirectory
        self.stdin = stdin; self.timeout = timeout; self.killGrace = killGrace
        self.maxLineBytes = max(1, maxLineBytes); self.maxLinesPerSecond = max(1, maxLinesPerSecond)
    }
}

/// The child's output stream a line came from.
public enum StandardStream: String, Sendable, Hashable {
    case stdout, stderr
}

/// One line of output without its line end (`\n`, or `\r\n`).
public struct OutputLine: Sendable, Hashable {
    public var stream: StandardStream
    /// Invalid UTF-8 is repaired with U+FFFD.
    public var text: String
    /// The line was longer than `maxLineBytes`: this is its beginning, the rest was discarded.
    public var truncated: Bool

    public init(stream: StandardStream, text: String, truncated: Bool = false) {
        self.stream = stream; self.text = text; self.truncated = truncated
    }
}

/// What a running child reports before it ends, delivered in order on the
/// runner's thread.
public enum ProcessEvent: Sendable, Hashable {
    /// A batch of lines in the order they were read (per stream).
    case output([OutputLine])
    /// A `::progress N` line (N in 0...100, on stdout or stderr). Such lines
    /// are not delivered as output; they count against the line budget like
    /// any other line, so under a flood some progress updates are dropped.
    case progress(Int)
    /// Lines that were over the per-second budget since the last report.
    case dropped(lines: Int, bytes: Int)
}
