import BatchCore
import Redis

/// One entry of the `events` or `audit` stream.
public struct StreamEvent: Sendable, Hashable {
    /// The stream entry id (`<ms>-<seq>`), which is also its time.
    public var streamID: String
    public var fields: [String: String]

    public var type: String { self[.type] ?? self[.action] ?? "" }
    /// The event's kind; nil for an audit entry (or a kind this release does not know).
    public var kind: EventKind? { self[.type].flatMap(EventKind.init(rawValue:)) }
    public var executionID: String? { self[.id] }
    public var state: ExecutionState? { self[.state].flatMap(ExecutionState.init(rawValue:)) }
    public subscript(_ field: EventField) -> String? { fields[field.rawValue] }
    /// Milliseconds since the epoch, from the entry id.
    public var millis: Int64 { Int64(streamID.split(separator: "-").first ?? "") ?? 0 }
}

extension ExecutionStore {
    /// The newest events, oldest first.
    public func recentEvents(count: Int = 100, audit: Bool = false) throws(StoreError) -> [StreamEvent] {
        let r = try mapRedis { try redis.send(RedisCommand("XREVRANGE", audit ? keys.audit : keys.events, "+", "-", "COUNT", count)) }
        return Array(Self.parseEntries(r).reversed())
    }

    /// Events after a stream id (exclusive), oldest first, without blocking.
    public func events(after: String, count: Int = 100) throws(StoreError) -> [StreamEvent] {
        let r = try mapRedis { try redis.send(RedisCommand("XRANGE", keys.events, "(" + after, "+", "COUNT", count)) }
        return Self.parseEntries(r)
    }

    /// Appends an operator action to the audit stream (and to events, for the console).
    public func audit(action: String, user: String, source: String, fields: [String: String] = [:]) throws(StoreError) {
        var args: [any RedisArgument] = ["XADD", keys.audit, "MAXLEN", "~", limits.eventsMax, "*", EventField.action.rawValue, action,
                                      EventField.user.rawValue, user, EventField.source.rawValue, source]
        for (k, v) in fields.sorted(by: { $0.key < $1.key }) { args.append(k); args.append(v) }
        _ = try mapRedis { try redis.send(RedisCommand(args)) }
    }

    /// A follower of the events stream on a connection of its own (blocking reads).
    public func follow(from start: String = "$") throws(StoreError) -> EventFollower {
        let conn = try mapRedis { try redis.dedicatedConnection() }
        return EventFollower(connection: conn, key: keys.events, last: start)
    }

    static func parseEntries(_ reply: RedisReply) -> [StreamEvent] {
        (reply.array ?? []).compactMap { entry in
            guard let e = entry.array, e.count == 2, let id = e[0].string else { return nil }
            return StreamEvent(streamID: id, fields: fieldMap(e[1]))
        }
    }
}

/// Follows a stream with `XREAD BLOCK` on its own connection. Not thread-safe:
/// one thread owns it.
public final class EventFollower {
    let connection: RedisConnection
    let key: String
    /// The id of the last entry read.
    public private(set) var last: String

    init(connection: RedisConnection, key: String, last: String) {
        self.connection = connection; self.key = key; self.last = last
    }

    /// Waits up to `block` for new entries; returns those that arrived (maybe none).
    public func next(block: Duration, count: Int = 500) throws(StoreError) -> [StreamEvent] {
        let ms = max(1, Int(block.components.seconds * 1000 + block.components.attoseconds / 1_000_000_000_000_000))
        let reply = try mapRedis { () throws -> RedisReply in
            try connection.setReadTimeout(.milliseconds(ms + 2_000))
            return try connection.send(RedisCommand("XREAD", "COUNT", count, "BLOCK", ms, "STREAMS", key, last))
        }
        guard let streams = reply.array, let first = streams.first?.array, first.count == 2 else { return [] }
        let entries = ExecutionStore.parseEntries(first[1])
        if let l = entries.last { last = l.streamID }
        return entries
    }

    public func close() { connection.close() }
}
