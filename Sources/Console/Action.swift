import BatchCore
import Resilience

/// What the run loop must do after a key: the console's state machine never talks to
/// the data source itself, so it can be tested without one.
public enum ConsoleAction: Equatable, Sendable {
    case trigger(job: String, params: [String: String], runLater: RunLater = .now)
    case cancel(id: String)
    case retry(id: String)
    /// Cancel each of the tagged executions, one request each, as `cancel` does.
    case cancelTagged(ids: [String])
    /// Retry each of the tagged executions, one request each, as `retry` does.
    case retryTagged(ids: [String])
    /// Start following one execution's detail.
    case openExecution(id: String)
    /// Start following one execution's detail with its whole output (the log view).
    case openLog(id: String)
    /// Fetch the job types (for the trigger form).
    case loadJobTypes
    /// Write an operator override to one worker's breakers, for every gateway (as
    /// `batchctl breakers force-open|force-close|reset WORKER` does).
    case breaker(worker: String, BreakerOverride)
    /// Pause (or resume) a schedule for every scheduler (`batchctl schedule pause|resume NAME`).
    case pauseSchedule(name: String, paused: Bool)
    /// One execution of a schedule's job now (`batchctl schedule trigger NAME`).
    case triggerSchedule(name: String)
}

/// The answer to a key, like htop's `HandlerResult` flags, plus an optional action.
public struct HandlerResult: Equatable, Sendable {
    public struct Flags: OptionSet, Sendable, Hashable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// The key meant something here.
        public static let handled = Flags(rawValue: 1 << 0)
        /// The key meant nothing here.
        public static let ignored = Flags(rawValue: 1 << 1)
        /// The screen must be drawn again.
        public static let redraw = Flags(rawValue: 1 << 2)
        /// Data must be fetched again now (the filter or the view changed).
        public static let rescan = Flags(rawValue: 1 << 3)
        /// Leave the console.
        public static let quit = Flags(rawValue: 1 << 4)
    }

    public var flags: Flags
    public var action: ConsoleAction?

    public init(_ flags: Flags, _ action: ConsoleAction? = nil) { self.flags = flags; self.action = action }

    public static let ignored = HandlerResult([.ignored])
    public static let redraw = HandlerResult([.handled, .redraw])
    public static let rescan = HandlerResult([.handled, .redraw, .rescan])
    public static let quit = HandlerResult([.handled, .quit])
}

/// The four views, numbered as their keys.
public enum ConsoleView: Int, CaseIterable, Sendable, Hashable {
    case executions = 1
    case workers = 2
    case schedules = 3
    case events = 4

    public var title: String {
        switch self {
        case .executions: return "Executions"
        case .workers: return "Workers"
        case .schedules: return "Schedules"
        case .events: return "Events"
        }
    }
}
