import FoundationEssentials
import Synchronization

/// One line per event: `2026-11-25T12:00:00.123Z info  gateway: execution queued id=01J... job=report`.
///
/// Fields keep their order; a child logger made with `with(_:)` puts its fixed
/// fields after the event's own. Cheap to copy; safe to share between threads.
public struct Logger: Sendable {
    /// The component named before the colon, e.g. `gateway`.
    public let label: String
    /// Lines below this level are dropped before they are formatted.
    public var threshold: LogLevel
    public let sink: LogSink
    /// When set, the threshold of this logger and every logger made from it, changeable
    /// while they run (a reload's new `log.level`); it then stands for `threshold`.
    public let gate: LogGate?
    let fixedFields: [(String, String)]
    let clock: @Sendable () -> Date

    public init(label: String, threshold: LogLevel = .info, sink: LogSink = .standardError, gate: LogGate? = nil,
                clock: @escaping @Sendable () -> Date = { Date() }) {
        self.label = label
        self.threshold = threshold
        self.sink = sink
        self.gate = gate
        self.fixedFields = []
        self.clock = clock
    }

    private init(copying other: Logger, adding fields: [(String, String)]) {
        self.label = other.label
        self.threshold = other.threshold
        self.gate = other.gate
        self.sink = other.sink
        self.fixedFields = other.fixedFields + fields
        self.clock = other.clock
    }

    /// A logger that adds `fields` to every line it writes.
    public func with(_ fields: KeyValuePairs<String, String>) -> Logger {
        Logger(copying: self, adding: fields.map { ($0.key, $0.value) })
    }

    /// A logger that adds `fields` to every line it writes.
    public func with(fields: [(String, String)]) -> Logger {
        Logger(copying: self, adding: fields)
    }

    public func isEnabled(_ level: LogLevel) -> Bool { level >= (gate?.level ?? threshold) }

    public func log(_ level: LogLevel, _ message: @autoclosure () -> String,
                    fields: [(String, String)]) {
        guard isEnabled(level) else { return }
        let all = fixedFields.isEmpty ? fields : fields + fixedFields
        let line = LogFormat.line(level: level, label: label, message: message(), fields: all,
                                  time: sink.isJournal ? nil : clock(), journal: sink.isJournal)
        sink.emit(line)
    }

    public func log(_ level: LogLevel, _ message: @autoclosure () -> String,
                    _ fields: KeyValuePairs<String, String> = [:]) {
        guard isEnabled(level) else { return }
        log(level, message(), fields: fields.map { ($0.key, $0.value) })
    }

    public func debug(_ message: @autoclosure () -> String, _ fields: KeyValuePairs<String, String> = [:]) {
        log(.debug, message(), fields)
    }
    public func info(_ message: @autoclosure () -> String, _ fields: KeyValuePairs<String, String> = [:]) {
        log(.info, message(), fields)
    }
    public func notice(_ message: @autoclosure () -> String, _ fields: KeyValuePairs<String, String> = [:]) {
        log(.notice, message(), fields)
    }
    public func warning(_ message: @autoclosure () -> String, _ fields: KeyValuePairs<String, String> = [:]) {
        log(.warning, message(), fields)
    }
    public func error(_ message: @autoclosure () -> String, _ fields: KeyValuePairs<String, String> = [:]) {
        log(.error, message(), fields)
    }
}

/// A log threshold shared by the loggers made from one, set while they run.
public final class LogGate: Sendable {
    private let raw: Atomic<Int>

    public init(_ level: LogLevel) { raw = Atomic(level.rawValue) }

    public var level: LogLevel {
        get { LogLevel(rawValue: raw.load(ordering: .relaxed)) ?? .info }
        set { raw.store(newValue.rawValue, ordering: .relaxed) }
    }
}
