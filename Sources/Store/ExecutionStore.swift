import BatchCore
import FoundationEssentials
import Redis
import Synchronization

/// Settings of the store that scripts need.
public struct StoreLimits: Sendable {
    /// Bound of the `events` and `audit` streams (approximate trimming).
    public var eventsMax: Int = 100_000
    /// Lines kept per execution in `log:<id>`.
    public var logLines: Int = 1_000
    /// How deep a claim looks into each priority queue for a dispatchable id.
    public var claimScanDepth: Int = 64
    public init() {}
}

/// Every execution operation of DESIGN.md §3–§5, each one Lua script.
public final class ExecutionStore: Sendable {
    public let redis: RedisClient
    public let keys: Keys
    public let limits: StoreLimits

    /// The hot path (create, claim, start, finish): calls made concurrently by many threads
    /// go to Redis in groups, one script call for a whole group (see `GroupCommit`).
    let createCalls: GroupCommit<[[UInt8]], RedisReply>
    let claimCalls: GroupCommit<[[UInt8]], RedisReply>
    let startCalls: GroupCommit<[[UInt8]], RedisReply>
    let finishCalls: GroupCommit<[[UInt8]], RedisReply>
    /// The first two arguments of every script: key prefix, events bound.
    let head: [[UInt8]]

    public init(redis: RedisClient, namespace: String, limits: StoreLimits = .init()) {
        self.redis = redis
        self.keys = Keys(namespace: namespace)
        self.limits = limits
        let head = [keys.prefix.redisBytes, limits.eventsMax.redisBytes]
        self.head = head
        createCalls = GroupCommit { items throws(StoreError) in try Self.callItems(redis, Scripts.create, head: head, items) }
        startCalls = GroupCommit { items throws(StoreError) in try Self.callItems(redis, Scripts.start, head: head, items) }
        finishCalls = GroupCommit { items throws(StoreError) in try Self.callItems(redis, Scripts.finish, head: head, items) }
        claimCalls = GroupCommit { items throws(StoreError) in try Self.callClaims(redis, head: head, items) }
    }

    /// Calls of the grouped operations and the round trips that carried them, by operation.
    public var groupedCalls: [(operation: String, calls: Int, roundTrips: Int)] {
        [("create", createCalls), ("claim", claimCalls), ("start", startCalls), ("finish", finishCalls)].map { name, g in
            (name, g.items.load(ordering: .relaxed), g.groups.load(ordering: .relaxed))
        }
    }

    func run(_ script: RedisScript, _ args: [any RedisArgument]) throws(StoreError) -> RedisReply {
        let all = head + args.map(\.redisBytes)
        let reply = try mapRedis { try redis.evalMany(script, argLists: [all]) }.first ?? .null
        return try Self.checked(reply).get()
    }

    /// One call of a script that takes `n` items (`ARGV[3] = n`, then the items' arguments
    /// one after the other) and answers one reply per item.
    static func callItems(_ redis: RedisClient, _ script: RedisScript, head: [[UInt8]],
                          _ items: [[[UInt8]]]) throws(StoreError) -> [Result<RedisReply, StoreError>] {
        try callItems(redis, script, head: head, chunks: [items])
    }

    /// Several calls of `script`, one per chunk of items, pipelined in one round trip: Redis runs
    /// each call whole (so no chunk holds it long) and answers them in order.
    static func callItems(_ redis: RedisClient, _ script: RedisScript, head: [[UInt8]],
                          chunks: [[[[UInt8]]]]) throws(StoreError) -> [Result<RedisReply, StoreError>] {
        let chunks = chunks.filter { !$0.isEmpty }
        if chunks.isEmpty { return [] }
        let argLists = chunks.map { items -> [[UInt8]] in
            var args = head
            args.append(Array(String(items.count).utf8))
            for item in items { args += item }
            return args
        }
        let replies = try mapRedis { try redis.evalMany(script, argLists: argLists) }
        guard replies.count == chunks.count else { throw .unexpectedReply("\(chunks.count) calls answered with \(replies.count) replies") }
        var out: [Result<RedisReply, StoreError>] = []
        for (items, reply) in zip(chunks, replies) {
            if case .error(let e) = reply { throw .redis(RedisError(reply: e)) }
            guard let each = reply.array, each.count == items.count else {
                throw .unexpectedReply("\(items.count) items answered with \(reply)")
            }
            out += each.map(Self.checked)
        }
        return out
    }

    /// `callItems` for a caller's own list, in calls of at most 256 items.
    /// Many items of a grouped operation in one round trip: script calls of at most 256 items
    /// each, pipelined; counted with that operation's groups.
    func callItems(_ script: RedisScript, _ items: [[any RedisArgument]],
                   counted calls: GroupCommit<[[UInt8]], RedisReply>) throws(StoreError) -> [Result<RedisReply, StoreError>] {
        if items.isEmpty { return [] }
        let chunks = stride(from: 0, to: items.count, by: 256).map { i in
            items[i..<min(i + 256, items.count)].map { $0.map(\.redisBytes) }
        }
        let out = try Self.callItems(redis, script, head: head, chunks: chunks)
        calls.countDirect(items.count)
        return out
    }

    /// A reply as an outcome: an error reply fails as a thrown Redis error would.
    static func checked(_ reply: RedisReply) -> Result<RedisReply, StoreError> {
        if case .error(let e) = reply { return .failure(.redis(RedisError(reply: e))) }
        return .success(reply)
    }

    /// Parameters as stored: sorted JSON.
    static func paramsText(_ params: [String: String]) -> String {
        FlatJSON.encode(params) ?? String(decoding: (try? JSONEncoder.sorted.encode(params)) ?? Data("{}".utf8), as: UTF8.self)
    }

    /// Maps the common negative codes of the scripts to errors.
    func refusal(_ reply: [RedisReply], id: String, attempt: Int, operation: String) -> StoreError? {
        guard let code = reply.first?.int, code < 0 else { return nil }
        switch Refusal(rawValue: code) {
        case .notFound: return .notFound(id)
        case .staleAttempt: return .staleAttempt(id: id, attempt: attempt, current: Int(reply.dropFirst().first?.int ?? -1))
        case .leaseLost: return .leaseLost(id: id, attempt: attempt)
        case .wrongState: return .wrongState(id: id, state: reply.dropFirst().first?.string ?? "?", operation: operation)
        default: return .unexpectedReply("\(operation): code \(code)")
        }
    }

    func newState(_ reply: RedisReply, id: String, attempt: Int, operation: String) throws(StoreError) -> ExecutionState {
        let a = reply.array ?? []
        if let e = refusal(a, id: id, attempt: attempt, operation: operation) { throw e }
        guard let s = a.first?.string, let st = ExecutionState(rawValue: s) else { throw .unexpectedReply("\(operation): \(reply)") }
        return st
    }
}

extension JSONEncoder {
    /// An encoder with sorted keys, so stored bytes are stable.
    static var sorted: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }
}
