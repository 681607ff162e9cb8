import BatchCore
import Redis

/// A job type whose dispatch an operator paused, for every gateway.
public struct PausedJob: Sendable, Equatable, Codable {
    public var job: String
    public var user: String
    /// When it was paused (ms, Redis time).
    public var at: Int64
}

extension ExecutionStore {
    /// The job types whose dispatch is paused: their executions are accepted and queued, and
    /// no gateway takes them off the queue until they are resumed (asynq's queue pause).
    public func pausedJobs() throws(StoreError) -> [PausedJob] {
        let fields = Self.fieldMap(try mapRedis { try redis.send(RedisCommand("HGETALL", keys.jobsPaused)) })
        return fields.map { job, value in
            let parts = value.split(separator: " ", maxSplits: 1).map(String.init)
            return PausedJob(job: job, user: parts.count > 1 ? parts[1] : "", at: Int64(parts.first ?? "") ?? 0)
        }.sorted { $0.job < $1.job }
    }

    /// Pauses or resumes the dispatch of `job` for every gateway; audited, and an event.
    /// - Returns: whether it changed anything.
    @discardableResult
    public func setJobPaused(_ job: String, _ paused: Bool, user: String, source: String) throws(StoreError) -> Bool {
        let now = try mapRedis { try redis.send(RedisCommand("TIME")) }.array?.first?.int ?? 0
        let change = paused ? RedisCommand("HSETNX", keys.jobsPaused, job, "\(now * 1000) \(user)")
            : RedisCommand("HDEL", keys.jobsPaused, job)
        let action = paused ? "pause-job" : "resume-job"
        let replies = try mapRedis {
            try redis.pipeline([
                change,
                RedisCommand("XADD", keys.audit, "MAXLEN", "~", limits.eventsMax, "*", "action", action, "job", job, "user", user, "source", source),
                RedisCommand("XADD", keys.events, "MAXLEN", "~", limits.eventsMax, "*", "type", action, "job", job, "user", user),
            ])
        }
        return replies.first?.int == 1
    }
}
