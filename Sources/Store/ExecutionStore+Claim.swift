import BatchCore
import FoundationEssentials
import Redis

/// An execution taken off the queue by a dispatcher, leased to it.
public struct ClaimedExecution: Sendable, Equatable {
    public var id: String
    public var job: String
    public var attempt: Int
    public var params: [String: String]
    public var timeoutSeconds: Int
    public var maxAttempts: Int
    public var runs: Int
    public var priority: Int
    /// Dispatches of this execution that failed before this one.
    public var dispatchFailures: Int
    /// Time it waited in the queue before this claim, ms (Redis time).
    public var queueWaitMillis: Int64
}

/// What one claim call took, and whether it left the queues empty.
public struct ClaimRound: Sendable, Equatable {
    public var claimed: [ClaimedExecution]
    /// Nothing at all is queued after this call (it claimed fewer than asked and every priority
    /// queue is empty): until something is queued again, an end frees a slot for nothing.
    public var queueEmpty: Bool
    /// Work of a job type with a rate was left queued for want of a token: the next one comes this
    /// many ms from now (the soonest of them). Nothing else wakes a dispatcher for it.
    public var rateWaitMillis: Int64? = nil
}

extension ExecutionStore {
    /// Takes the next dispatchable execution and leases it to this gateway.
    /// - Parameter allowed: job types that have a free worker slot now, with
    ///   their fleet-wide concurrency limit (0 = none).
    /// - Parameter rates: the rate of each job type that has one.
    public func claim(allowed: [String: Int], rates: [String: JobRate] = [:], leaseMillis: Int, gateway: String) throws(StoreError) -> ClaimedExecution? {
        if allowed.isEmpty { return nil }
        return try claimed(claimCalls.call(claimArgs(allowed: allowed, rates: rates, leaseMillis: leaseMillis, gateway: gateway).map(\.redisBytes)))
    }

    /// Up to `max` claims in one round trip (each exactly as `claim`): fewer when the queue
    /// has fewer dispatchable executions.
    /// - Parameter allowed: job types that have a free worker slot now, with their fleet-wide
    ///   concurrency limit (0 = none). The caller asks for no more than the slots it has.
    public func claimMany(allowed: [String: Int], rates: [String: JobRate] = [:], max: Int, leaseMillis: Int,
                          gateway: String) throws(StoreError) -> [ClaimedExecution] {
        try claimRound(allowed: allowed, rates: rates, max: max, leaseMillis: leaseMillis, gateway: gateway).claimed
    }

    /// `claimMany`, and whether the queues were left empty.
    public func claimRound(allowed: [String: Int], rates: [String: JobRate] = [:], max: Int, leaseMillis: Int,
                           gateway: String) throws(StoreError) -> ClaimRound {
        if allowed.isEmpty || max <= 0 { return ClaimRound(claimed: [], queueEmpty: false) }
        let item = claimArgs(allowed: allowed, rates: rates, leaseMillis: leaseMillis, gateway: gateway).map(\.redisBytes)
        let round = try Self.claimRound(redis, head: head, item, count: max)
        claimCalls.countDirect(max)
        var out: [ClaimedExecution] = []
        for reply in round.claims {
            if let c = try claimed(reply) { out.append(c) }
        }
        return ClaimRound(claimed: out, queueEmpty: round.queuesLeft == 0, rateWaitMillis: round.rateWait >= 0 ? round.rateWait : nil)
    }

    private func claimArgs(allowed: [String: Int], rates: [String: JobRate], leaseMillis: Int, gateway: String) -> [any RedisArgument] {
        var item = ScriptItem<ClaimArgument>()
        item[.gateway] = gateway; item[.lease] = leaseMillis; item[.depth] = limits.claimScanDepth
        return item.values + allowed.sorted(by: { $0.key < $1.key }).flatMap { Self.claimTuple(job: $0.key, limit: $0.value, rate: rates[$0.key]) }
    }

    private func claimed(_ reply: RedisReply) throws(StoreError) -> ClaimedExecution? {
        guard let a = reply.array else { throw .unexpectedReply("claim: \(reply)") }
        if a.isEmpty { return nil }
        guard a.count >= 10, let id = a[0].string, let job = a[1].string else { throw .unexpectedReply("claim: \(reply)") }
        var params: [String: String] = [:]
        if let p = a[3].string, !p.isEmpty {
            if let fast = FlatJSON.decode(p) {
                params = fast
            } else if let d = p.data(using: .utf8) {
                params = (try? JSONDecoder().decode([String: String].self, from: d)) ?? [:]
            }
        }
        return ClaimedExecution(id: id, job: job, attempt: Int(a[2].int ?? 0), params: params,
                                timeoutSeconds: Int(a[4].int ?? 0), maxAttempts: Int(a[5].int ?? 1),
                                runs: Int(a[6].int ?? 0), priority: Int(a[7].int ?? Int64(Priority.default)),
                                dispatchFailures: Int(a[8].int ?? 0), queueWaitMillis: a[9].int ?? 0)
    }

    /// Claims for a group of callers: one claim each. Callers asking with the same allowed
    /// job types (the usual case: one gateway's dispatcher threads) share one script call.
    static func callClaims(_ redis: RedisClient, head: [[UInt8]], _ items: [[[UInt8]]]) throws(StoreError) -> [Result<RedisReply, StoreError>] {
        if let first = items.first, items.allSatisfy({ $0 == first }) {
            let round = try claimRound(redis, head: head, first, count: items.count)
            let none = Result<RedisReply, StoreError>.success(.array([]))
            return items.indices.map { $0 < round.claims.count ? .success(round.claims[$0]) : none }
        }
        let replies = try mapRedis { try redis.evalMany(Scripts.claim, argLists: items.map { claimCallArgs(head, $0, count: 1) }) }
        return replies.map { reply in
            if case .error(let e) = reply { return .failure(.redis(RedisError(reply: e))) }
            return .success(reply.array?.first?.array?.first ?? .array([]))
        }
    }

    /// `item` (from `claimArgs`, its count left empty) with the count of this call.
    private static func claimCallArgs(_ head: [[UInt8]], _ item: [[UInt8]], count: Int) -> [[UInt8]] {
        var item = item
        item[ClaimArgument.count.rawValue] = Array(String(count).utf8)
        return head + item
    }

    /// One claim script call for up to `count` executions: the claims' replies, and how many
    /// priority queues still hold ids (-1: not looked at, the call claimed all it asked for).
    static func claimRound(_ redis: RedisClient, head: [[UInt8]], _ item: [[UInt8]],
                           count: Int) throws(StoreError) -> (claims: [RedisReply], queuesLeft: Int, rateWait: Int64) {
        let reply = try mapRedis { try redis.evalMany(Scripts.claim, argLists: [claimCallArgs(head, item, count: count)]) }.first ?? .null
        if case .error(let e) = reply { throw .redis(RedisError(reply: e)) }
        guard let parts = reply.array, parts.count == 3, let claims = parts[0].array, claims.count <= count,
              let left = parts[1].int, let wait = parts[2].int else { throw .unexpectedReply("claim: \(reply)") }
        return (claims, Int(left), wait)
    }
}
