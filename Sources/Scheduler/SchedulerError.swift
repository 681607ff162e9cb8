import BatchCore

/// The one error type of the scheduler daemon.
public enum SchedulerError: Error, Sendable, CustomStringConvertible {
    /// A `[schedule]` section cannot be planned (cron or zone refused).
    case schedule(name: String, reason: String)
    /// No gateway to deliver fires to.
    case noGateway(String)

    public var description: String {
        switch self {
        case .schedule(let name, let reason):
            return "[schedule \"\(name)\"] cannot be planned: \(reason); fix the section and reload (SIGHUP)"
        case .noGateway(let why): return why
        }
    }
}
