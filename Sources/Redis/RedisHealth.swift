/// What a client knows of Redis from its own calls: whether Redis serves, since when it does not
/// and why, when it last answered, and how many calls failed in a row.
///
/// Pure: events come in with their time, so tests drive it without a socket or a clock.
/// Redis counts as down after a failure that says Redis itself is not serving (no connection, a
/// write that failed, no reply within the read timeout, `LOADING`); any reply (error replies
/// included) says it serves again. A Redis that is only slow never reaches the read timeout and
/// so is never counted down.
public struct RedisHealth: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        case up
        /// Since the first failure, and the latest failure's error.
        case down(since: ContinuousClock.Instant, cause: RedisError)
    }

    public private(set) var state: State = .up
    /// When Redis last answered anything.
    public private(set) var lastReply: ContinuousClock.Instant?
    /// Calls that failed in a row, counting only failures that mark Redis down.
    public private(set) var consecutiveFailures = 0

    public init() {}

    public var isDown: Bool {
        if case .down = state { return true }
        return false
    }

    /// A reply arrived. Returns true when it ended a down state.
    @discardableResult
    public mutating func replied(at now: ContinuousClock.Instant) -> Bool {
        lastReply = now
        consecutiveFailures = 0
        guard isDown else { return false }
        state = .up
        return true
    }

    /// A call failed. Returns true when the failure started a down state; a failure while down
    /// keeps the first time and takes the latest reason (e.g. from "no reply" to "loading").
    @discardableResult
    public mutating func failed(_ error: RedisError, at now: ContinuousClock.Instant) -> Bool {
        guard error.marksRedisDown else { return false }
        consecutiveFailures += 1
        if case .down(let since, _) = state {
            state = .down(since: since, cause: error)
            return false
        }
        state = .down(since: now, cause: error)
        return true
    }

    /// The error a call gets, without anything being sent, while Redis is known to be down.
    public func refusal(at now: ContinuousClock.Instant) -> RedisError? {
        guard case .down(let since, let cause) = state else { return nil }
        if case .loading = cause {
            return .loading("Redis has been loading its data set for \(Self.seconds(now - since)); the command was not sent")
        }
        // The cause first (where Redis is and why it failed): a narrow status line keeps it.
        var text = "\(cause)"
        if text.hasPrefix("redis unreachable: ") { text.removeFirst("redis unreachable: ".count) }
        return .unreachable("\(text) (not serving for \(Self.seconds(now - since)); the command was not sent)")
    }

    /// `3.2s`: how long, for messages.
    public static func seconds(_ d: Duration) -> String {
        let ms = d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000
        return "\(ms / 1000).\(String(ms % 1000 / 100))s"
    }
}
