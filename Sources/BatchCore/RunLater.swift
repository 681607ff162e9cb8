import Schedule

/// When an execute request asks to run: at once, no earlier than an instant
/// (`notBefore`), or a while after the request (`delay`). Read the same way by the
/// gateway (which refuses what it cannot read) and by `batchctl trigger --at/--in`
/// (which refuses it before sending).
public enum RunLater: Sendable, Equatable {
    case now
    /// Milliseconds since the epoch.
    case at(Int64)
    /// Milliseconds after the create, on Redis' clock.
    case after(Int64)

    /// The timing of `request`, or a message naming the field that is wrong.
    /// `nowMillis` and `maxAhead` bound how far ahead it may be.
    public static func of(_ request: BatchExecutionRequest, nowMillis: Int64,
                          maxAhead: Duration) -> Result<RunLater, RunLaterError> {
        if request.notBefore != nil, request.delay != nil {
            return .failure(RunLaterError(field: "notBefore", message: "give notBefore or delay, not both"))
        }
        let limit = maxAhead.inMilliseconds
        if let text = request.notBefore {
            guard let at = instant(text) else {
                return .failure(RunLaterError(field: "notBefore", message:
                    "notBefore must be an ISO 8601 time with an offset (2026-12-08T02:00:00Z, 2026-12-08T03:00:00+01:00), not \"\(text)\""))
            }
            guard at - nowMillis <= limit else {
                return .failure(RunLaterError(field: "notBefore", message:
                    "notBefore \(text) is more than \(ConfigDuration.format(maxAhead)) ahead (gateway.max-delay)"))
            }
            return .success(at > nowMillis ? .at(at) : .now)
        }
        if let value = request.delay {
            guard let ms = delayMillis(value) else {
                return .failure(RunLaterError(field: "delay", message:
                    "delay must be a duration (\"90s\", \"15m\", \"1h30m\") or a number of seconds, not \(value)"))
            }
            guard ms <= limit else {
                return .failure(RunLaterError(field: "delay", message:
                    "delay \(ConfigDuration.format(.milliseconds(ms))) is more than \(ConfigDuration.format(maxAhead)) (gateway.max-delay)"))
            }
            return .success(ms > 0 ? .after(ms) : .now)
        }
        return .success(.now)
    }

    /// Milliseconds since the epoch of an ISO 8601 time that names its offset; nil for
    /// anything else (a local time without offset would mean different instants to
    /// different hosts).
    public static func instant(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard let t = bytes.firstIndex(where: { $0 == UInt8(ascii: "T") || $0 == UInt8(ascii: "t") || $0 == UInt8(ascii: " ") }),
              bytes[t...].contains(where: { [UInt8(ascii: "Z"), UInt8(ascii: "z"), UInt8(ascii: "+"), UInt8(ascii: "-")].contains($0) }),
              let i = try? Instant(iso8601: text, zone: .utc) else { return nil }
        return i.millisecondsSinceEpoch
    }

    /// A delay in milliseconds: a duration text or a number of seconds, not negative.
    public static func delayMillis(_ value: JSONValue) -> Int64? {
        switch value {
        case .number(let s):
            guard s >= 0, s.isFinite, s < 9e9 else { return nil }
            return Int64((s * 1000).rounded())
        case .string(let text):
            return ConfigDuration.parse(text)?.inMilliseconds
        default:
            return nil
        }
    }
}

/// A `notBefore` or `delay` the system cannot take, with the field to name.
public struct RunLaterError: Error, Sendable, Equatable {
    public var field: String
    public var message: String
}

extension RunLater {
    /// What an operator typed: `now` (or nothing), a duration (`15m`, `in 1h30m`, `90` seconds),
    /// or an ISO 8601 time with an offset; nil for anything else.
    public static func parse(_ text: String) -> RunLater? {
        let t = text.trimmingWhitespace()
        if t.isEmpty || t == "now" { return .now }
        let d = t.hasPrefix("in ") ? String(t.dropFirst(3)) : t
        if let duration = ConfigDuration.parse(d) { return duration == .zero ? .now : .after(duration.inMilliseconds) }
        return instant(t).map(RunLater.at)
    }

    /// The request's `notBefore` or `delay` set to say this.
    public func apply(to request: inout BatchExecutionRequest) {
        switch self {
        case .now: request.notBefore = nil; request.delay = nil
        case .at(let ms): request.notBefore = Instant(millisecondsSinceEpoch: ms).iso8601(in: .utc); request.delay = nil
        case .after(let ms): request.delay = .number(Double(ms) / 1000); request.notBefore = nil
        }
    }
}
