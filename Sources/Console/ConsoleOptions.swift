/// How batchtop runs. The lead's command-line parser fills this from argv
/// (`-d SECONDS`, `-b`, `-n N`, a view, a filter) and the environment (`NO_COLOR`).
public struct ConsoleOptions: Sendable, Equatable {
    /// Time between samples (`-d`).
    public var delay: Duration
    /// Plain-text snapshots on standard output instead of the live console (`-b`).
    public var batch: Bool
    /// How many snapshots batch mode prints (`-n`); nil means until interrupted.
    /// In the live console, how many samples to take before quitting (nil: until `q`).
    public var iterations: Int?
    /// The view shown first (and the one batch mode prints).
    public var view: ConsoleView
    /// A filter to start with (as if typed after `/`).
    public var filter: String
    /// Most executions fetched per sample.
    public var limit: Int
    /// Colours; off draws roles with bold/reverse only (also when `NO_COLOR` is set).
    public var color: Bool
    /// Width of batch output; nil uses `COLUMNS`, else 120.
    public var batchWidth: Int?
    /// What batch mode prints (`--tsv`, `--json`; text by default).
    public var batchFormat: BatchOutput.Form = .text
    /// `--read-only`: watch only; every action (trigger, cancel, retry) is refused.
    public var readOnly = false

    public init(delay: Duration = .seconds(2), batch: Bool = false, iterations: Int? = nil, view: ConsoleView = .executions,
                filter: String = "", limit: Int = 500, color: Bool = true, batchWidth: Int? = nil) {
        self.delay = delay; self.batch = batch; self.iterations = iterations; self.view = view
        self.filter = filter; self.limit = limit; self.color = color; self.batchWidth = batchWidth
    }

    /// Checks values a user typed; the message says what to change.
    public func validate() throws(ConsoleError) {
        if delay < .milliseconds(100) { throw .usage("-d must be at least 0.1 seconds") }
        if let n = iterations, n < 1 { throw .usage("-n must be at least 1") }
        if limit < 1 { throw .usage("the execution limit must be at least 1") }
    }
}

/// The Console layer's error.
public enum ConsoleError: Error, Equatable, CustomStringConvertible {
    /// A bad option value.
    case usage(String)
    /// The terminal could not be used.
    case terminal(String)
    /// The data source failed where the console cannot carry on (batch mode).
    case dataSource(String)
    /// The gateway refused an action or could not be reached; the text says which and why.
    case gateway(String)
    /// An action the console cannot take as things are; the text says why and what to do.
    case refused(String)

    public var description: String {
        switch self {
        case .usage(let s): return s
        case .terminal(let s): return s
        case .dataSource(let s): return "cannot read the fleet's state: \(s)"
        case .gateway(let s): return s
        case .refused(let s): return s
        }
    }
}
