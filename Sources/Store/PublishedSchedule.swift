import FoundationEssentials

/// A schedule's status as the leading scheduler publishes it (`ScheduleStatus`, JSON per
/// name in the `schedules` hash), read leniently for display: every field is optional,
/// so a status written by an older or newer scheduler still reads.
public struct PublishedSchedule: Decodable, Sendable, Equatable {
    public var name: String?
    public var job: String?
    /// `cron 0 0 2 * * *`, `fixed-rate 1000ms` or `fixed-delay 30000ms`.
    public var trigger: String?
    public var zone: String?
    public var nextFire: String?
    public var nextFireMs: Int64?
    public var lastFire: String?
    public var lastFireMs: Int64?
    public var lastExecution: String?
    /// The last execution's state, or `skipped:<why>`, `missed`, `failed:<reason>`.
    public var lastOutcome: String?
    public var paused: Bool?

    /// Decodes one published status; nil when the text is not a JSON object.
    public init?(json: String) {
        guard let s = try? JSONDecoder().decode(Self.self, from: Data(json.utf8)) else { return nil }
        self = s
    }
}
