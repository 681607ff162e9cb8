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

extension Logger {
    /// Logs a failure that a loop meets again and again (Redis down, a peer unreachable) at
    /// a bounded rate: the first line at once, then at most one line per `window` for the
    /// same label and message, saying how many were held back. The log of a long outage
    /// stays readable and its size bounded.
    public func repeated(_ level: LogLevel, _ message: String, _ fields: KeyValuePairs<String, String> = [:],
                         window: Duration = .seconds(30)) {
        guard isEnabled(level) else { return }
        let held = LogThrottle.shared.admit(label + "\u{0}" + message, window: window)
        guard let held else { return }
        var all = fields.map { ($0.key, $0.value) }
        if held > 0 {
            let (sec, atto) = window.components
            let span = sec >= 1 ? "\(sec)s" : "\(atto / 1_000_000_000_000_000)ms"
            all.append(("repeated", "\(held) more in the last \(span)"))
        }
        log(level, message, fields: all)
    }
}

/// Counts lines held back by `Logger.repeated`, per label and message.
final class LogThrottle: Sendable {
    static let shared = LogThrottle()
    private struct Entry { var last: ContinuousClock.Instant; var held: Int }
    private let entries = Mutex<[String: Entry]>([:])

    /// nil: hold this line back; otherwise emit it, with the count held back since the last one.
    func admit(_ key: String, window: Duration) -> Int? {
        let now = ContinuousClock.now
        return entries.withLock { e -> Int? in
            if var x = e[key], now - x.last < window {
                x.held += 1
                e[key] = x
                return nil
            }
            let held = e[key]?.held ?? 0
            if e.count > 1000 { e.removeAll() }  // bounded: keys are call sites, not data
            e[key] = Entry(last: now, held: 0)
            return held
        }
    }
}
