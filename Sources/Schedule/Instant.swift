/// A point on the UTC time line: milliseconds since 1970-01-01T00:00:00Z.
///
/// Fire times, lease expiries and timestamps travel as this; turning one into a
/// wall-clock text needs a `ZoneRules` (see `iso8601(in:)` and `localDate(in:)`).
public struct Instant: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var millisecondsSinceEpoch: Int64

    public init(millisecondsSinceEpoch: Int64) {
        self.millisecondsSinceEpoch = millisecondsSinceEpoch
    }

    public init(secondsSinceEpoch: Int64) {
        self.millisecondsSinceEpoch = secondsSinceEpoch * 1000
    }

    /// Whole seconds since the epoch, rounded down (also before 1970).
    public var secondsSinceEpoch: Int64 { Civil.floorDiv(millisecondsSinceEpoch, 1000) }

    public func adding(milliseconds: Int64) -> Instant {
        Instant(millisecondsSinceEpoch: millisecondsSinceEpoch + milliseconds)
    }

    /// `self - other` in milliseconds.
    public func milliseconds(since other: Instant) -> Int64 {
        millisecondsSinceEpoch - other.millisecondsSinceEpoch
    }

    public static func < (a: Instant, b: Instant) -> Bool {
        a.millisecondsSinceEpoch < b.millisecondsSinceEpoch
    }

    /// ISO 8601 in UTC, e.g. `2026-03-08T07:00:00Z`.
    public var description: String { iso8601(in: .utc) }
}
