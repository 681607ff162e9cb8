import BatchCore
import Foundation
import Resilience

/// One execution in full, for the detail view.
public struct ExecutionDetail: Sendable, Equatable {
    public var row: ExecutionRow
    public var params: [String: String]
    public var attempts: [Attempt]
    /// The last lines of output, oldest first.
    public var outputTail: [String]
    /// The result as JSON text, when it has one.
    public var result: String?
    public var trigger: String?
    public var exitCode: Int?

    public init(row: ExecutionRow, params: [String: String] = [:], attempts: [Attempt] = [], outputTail: [String] = [],
                result: String? = nil, trigger: String? = nil, exitCode: Int? = nil) {
        self.row = row; self.params = params; self.attempts = attempts; self.outputTail = outputTail
        self.result = result; self.trigger = trigger; self.exitCode = exitCode
    }

    /// One attempt at running the execution.
    public struct Attempt: Sendable, Equatable {
        public var number: Int
        public var worker: String?
        public var started: Date?
        public var finished: Date?
        /// How it ended: a state and reason, such as `failed exit_code 3`; nil while running.
        public var outcome: String?

        public init(number: Int, worker: String? = nil, started: Date? = nil, finished: Date? = nil, outcome: String? = nil) {
            self.number = number; self.worker = worker; self.started = started; self.finished = finished; self.outcome = outcome
        }
    }
}

/// A job type that workers serve, with its declared parameters (DESIGN.md §7).
public struct JobTypeInfo: Sendable, Equatable {
    public var name: String
    public var params: [ParamInfo]
    /// The parameters its `unique` setting names (one active execution per value of them); nil: not unique.
    public var unique: [String]?
    public init(name: String, params: [ParamInfo], unique: [String]? = nil) { self.name = name; self.params = params; self.unique = unique }
}

/// One declared parameter of a job type.
public struct ParamInfo: Sendable, Equatable {
    public var name: String
    public var required: Bool
    public var defaultValue: String?
    /// The declared type: `string`, `int MIN..MAX`, `enum A|B|C` or `pattern REGEX`.
    public var typeHint: String
    /// The declared `max-length`, if any.
    public var maxLength: Int?

    public init(name: String, required: Bool = false, defaultValue: String? = nil, typeHint: String = "string", maxLength: Int? = nil) {
        self.name = name; self.required = required; self.defaultValue = defaultValue
        self.typeHint = typeHint; self.maxLength = maxLength
    }
}

/// Where the console gets its data and sends its commands. Every call blocks; the
/// console makes them on a background queue, never on the thread that draws.
public protocol ConsoleDataSource: Sendable {
    /// The current state of the fleet; at most `limit` executions, matching `filter` when given.
    func snapshot(filter: String?, limit: Int) throws -> ConsoleSnapshot
    func detail(id: String) throws -> ExecutionDetail
    /// The detail with as many of the last output lines as the store keeps, at most
    /// `LogView.maxLines`: one bounded read, for the log view.
    func log(id: String) throws -> ExecutionDetail
    /// The job types live workers serve, with their declared parameters.
    func jobTypes() throws -> [JobTypeInfo]
    /// Triggers a job, at once or to run later; returns the new execution's id.
    func trigger(job: String, params: [String: String], runLater: RunLater) throws -> String
    func cancel(id: String) throws
    /// Runs a terminal execution again; returns the new execution's id.
    func retry(id: String) throws -> String
    /// Writes one operator action on tagged executions (`cancel-tagged`, `retry-tagged`) to the
    /// audit stream, once, after each execution's own cancel or retry (audited as a single one is).
    func auditTagged(action: String, ids: [String], failed: Int) throws
    /// Writes an operator override of one worker's breakers for every gateway, audited
    /// as `batchctl breakers force-open|force-close|reset` is.
    func setBreaker(worker: String, _ override: BreakerOverride) throws
    /// Pauses or resumes a schedule for every scheduler, audited as `batchctl schedule pause|resume` is.
    func setPaused(schedule: String, _ paused: Bool) throws
    /// Runs a schedule's job now, as `batchctl schedule trigger` does; returns the new execution's id.
    func triggerSchedule(name: String) throws -> String
}

extension ConsoleDataSource {
    /// A source that keeps no more output than the detail's tail.
    public func log(id: String) throws -> ExecutionDetail { try detail(id: id) }

    /// Triggers a job to run at once; returns the new execution's id.
    public func trigger(job: String, params: [String: String]) throws -> String {
        try trigger(job: job, params: params, runLater: .now)
    }
}
