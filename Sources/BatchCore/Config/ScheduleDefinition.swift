import Platform
import FoundationEssentials
import Schedule

// `MisfirePolicy` and `OverlapPolicy` live with the schedule engine (Schedule/).

/// When a schedule fires: exactly one of a cron expression, a fixed rate and a fixed delay.
public enum ScheduleTriggerText: Sendable, Hashable {
    /// Six fields (second first) or five (crontab); the schedule engine reads it.
    case cron(String)
    case fixedRate(Duration)
    /// Measured from the end of the previous execution.
    case fixedDelay(Duration)
}

/// A `[schedule "NAME"]` section. Durations are stored in milliseconds so the JSON that
/// the scheduler keeps in Redis stays readable.
public struct ScheduleDefinition: Sendable, Hashable, Codable {
    public var name: String
    /// The job type it triggers.
    public var job: String
    public var cron: String?
    public var fixedRateMs: Int64?
    public var fixedDelayMs: Int64?
    public var initialDelayMs: Int64
    /// A tz database name (`UTC`, `Asia/Seoul`).
    public var zone: String
    /// Parameter values; they may contain `{fire-date}`, `{fire-time}` and `{schedule}`.
    public var params: [String: String]
    public var misfire: MisfirePolicy
    public var misfireGraceMs: Int64
    public var overlap: OverlapPolicy
    public var priority: Int
    public var paused: Bool
    public var description: String?

    public init(name: String, job: String, trigger: ScheduleTriggerText, initialDelay: Duration = .zero,
                zone: String = "UTC", params: [String: String] = [:], misfire: MisfirePolicy = .fireOnce,
                misfireGrace: Duration = .seconds(60), overlap: OverlapPolicy = .allow,
                priority: Int = Priority.default, paused: Bool = false, description: String? = nil) {
        self.name = name; self.job = job
        self.initialDelayMs = initialDelay.inMilliseconds; self.zone = zone; self.params = params
        self.misfire = misfire; self.misfireGraceMs = misfireGrace.inMilliseconds; self.overlap = overlap
        self.priority = priority; self.paused = paused; self.description = description
        self.trigger = trigger
    }

    public var trigger: ScheduleTriggerText {
        get {
            if let ms = fixedRateMs { return .fixedRate(.milliseconds(ms)) }
            if let ms = fixedDelayMs { return .fixedDelay(.milliseconds(ms)) }
            return .cron(cron ?? "")
        }
        set {
            cron = nil; fixedRateMs = nil; fixedDelayMs = nil
            switch newValue {
            case .cron(let c): cron = c
            case .fixedRate(let d): fixedRateMs = d.inMilliseconds
            case .fixedDelay(let d): fixedDelayMs = d.inMilliseconds
            }
        }
    }

    public var initialDelay: Duration { .milliseconds(initialDelayMs) }
    public var misfireGrace: Duration { .milliseconds(misfireGraceMs) }

    /// Placeholders a schedule's parameter values may use.
    public static let placeholders = ["fire-date", "fire-time", "schedule"]

    /// The parameter values for one fire, placeholders replaced.
    /// `fireDate` is `YYYY-MM-DD` and `fireTime` ISO 8601 with offset, both in the schedule's zone.
    public func params(fireDate: String, fireTime: String) -> [String: String] {
        params.mapValues {
            $0.replacing("{fire-date}", with: fireDate)
              .replacing("{fire-time}", with: fireTime)
              .replacing("{schedule}", with: name)
        }
    }
}

/// Checks the configuration cannot make itself, handed in by the program that loads it
/// (the cron engine lives above this module). Each returns an error message or nil.
public struct ConfigValidators: Sendable {
    /// Checks a cron expression in a zone.
    public var cron: @Sendable (_ expression: String, _ zone: String) -> String?

    public init(cron: @escaping @Sendable (_ expression: String, _ zone: String) -> String? = { _, _ in nil }) {
        self.cron = cron
    }
}
