import BatchCore
import Redis

/// A job type whose work a claim left queued for want of a rate token.
public struct RateLimitedJob: Sendable, Hashable, Codable {
    public var job: String
    /// The rate its bucket last ran at (nil when the bucket is gone).
    public var rate: JobRate?
    /// When a claim last left its work queued, ms (Redis time).
    public var at: Int64

    public init(job: String, rate: JobRate?, at: Int64) {
        self.job = job; self.rate = rate; self.at = at
    }
}

/// Rate limits: what a claim sends for each job type, and which job types are waiting for tokens.
extension ExecutionStore {
    /// How long after a claim left a job type's work for want of a token it still shows as rate-limited:
    /// dispatchers look again at least every 2 s while such work waits.
    public static let rateLimitedFor: Int64 = 10_000

    /// A job type's `ClaimJobArgument` tuple.
    static func claimTuple(job: String, limit: Int, rate: JobRate?) -> [any RedisArgument] {
        var t = ScriptItem<ClaimJobArgument>()
        t[.job] = job; t[.concurrency] = limit
        t[.rateCount] = rate?.count ?? 0; t[.ratePeriod] = Int(rate?.periodMs ?? 0); t[.rateBurst] = rate?.burst ?? 0
        return t.values
    }

    /// Job types a claim left waiting for a rate token at or after `since` (ms, Redis time), by name.
    public func rateLimited(since: Int64) throws(StoreError) -> [RateLimitedJob] {
        let all = Self.fieldMap(try mapRedis { try redis.send(RedisCommand("HGETALL", keys.rateLimited)) })
        let recent = all.compactMap { job, ms in Int64(ms).flatMap { $0 >= since ? (job, $0) : nil } }.sorted { $0.0 < $1.0 }
        if recent.isEmpty { return [] }
        let fields = [RateField.count, .period, .burst].map(\.rawValue)
        let replies = try mapRedis { try redis.pipeline(recent.map { RedisCommand(["HMGET", keys.rate($0.0)] + fields) }) }
        return zip(recent, replies).map { entry, reply in
            let v = (reply.array ?? []).map { $0.string.flatMap { Double($0) }.map { Int64($0) } }
            var rate: JobRate?
            if v.count == 3, let n = v[0], let p = v[1], let b = v[2], n > 0 { rate = JobRate(count: Int(n), periodMs: p, burst: Int(b)) }
            return RateLimitedJob(job: entry.0, rate: rate, at: entry.1)
        }
    }
}
