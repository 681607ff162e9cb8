/// The one error type of the schedule engine: cron expressions, zones and times.
///
/// `description` is the whole message for an operator, e.g.
/// `cron "0 0 0 30 2 *": field 4 (day of month): day 30 never occurs in FEB (at most 29 days); the expression would never fire`.
public struct CronError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// The expression is malformed.
        case syntax
        /// The expression is well formed but matches no instant in a whole 400-year Gregorian cycle.
        case neverFires
        /// A time zone is unknown or its tz database file is unreadable or malformed.
        case zone
        /// A date or time text is malformed.
        case time
    }

    public let kind: Kind
    /// The text that was refused.
    public let input: String
    /// The 1-based position of the cron field at fault as written (five-field lines count from the minute).
    public let field: Int?
    /// The name of that field: "second", "minute", "hour", "day of month", "month", "day of week".
    public let fieldName: String?
    /// What was wrong, without the input prefix.
    public let reason: String

    public init(kind: Kind, input: String, field: Int? = nil, fieldName: String? = nil, reason: String) {
        self.kind = kind; self.input = input; self.field = field; self.fieldName = fieldName; self.reason = reason
    }

    public var description: String {
        switch kind {
        case .syntax, .neverFires:
            if let field, let fieldName {
                return "cron \"\(input)\": field \(field) (\(fieldName)): \(reason)"
            }
            return "cron \"\(input)\": \(reason)"
        case .zone:
            return "time zone \"\(input)\": \(reason)"
        case .time:
            return "time \"\(input)\": \(reason)"
        }
    }
}
