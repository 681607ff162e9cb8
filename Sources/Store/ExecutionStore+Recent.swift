import BatchCore
import Redis

/// What batchtop's problems line and sparklines read: bounded reads of the by-state
/// indexes, whose score for a terminal state is the moment the execution ended.
extension ExecutionStore {
    /// Job types of the newest executions that ended in `states` after `since` (ms, Redis time),
    /// at most `limit` of each state, counted by job type. Two round trips: one
    /// `ZREVRANGEBYSCORE … LIMIT 0 limit` per state in one pipeline, then one `HGET job` per id.
    public func endedJobs(_ states: [ExecutionState], since: Int64, limit: Int = 100) throws(StoreError) -> [String: Int] {
        let ranges = states.map { RedisCommand("ZREVRANGEBYSCORE", keys.byState($0.rawValue), "+inf", "(\(since)", "LIMIT", 0, max(1, limit)) }
        let ids = try mapRedis { try redis.pipeline(ranges) }.flatMap { ($0.array ?? []).compactMap(\.string) }
        guard !ids.isEmpty else { return [:] }
        let jobs = try mapRedis { try redis.pipeline(ids.map { RedisCommand("HGET", keys.exec($0), Field.job.rawValue) }) }
        var out: [String: Int] = [:]
        for job in jobs.compactMap(\.string) { out[job, default: 0] += 1 }  // a trimmed one has no job
        return out
    }

    /// Ends per minute in each terminal state, over the `minutes` minutes before `until`
    /// (ms, Redis time), oldest minute first. One round trip of `minutes` × 4 `ZCOUNT`s.
    public func endedPerMinute(until: Int64, minutes: Int) throws(StoreError) -> [[ExecutionState: Int]] {
        let states = ExecutionState.terminal
        let starts = (0..<max(1, minutes)).map { until - Int64(max(1, minutes) - $0) * 60_000 }
        let cmds = starts.flatMap { start in
            states.map { RedisCommand("ZCOUNT", keys.byState($0.rawValue), "(\(start)", "\(start + 60_000)") }
        }
        let replies = try mapRedis { try redis.pipeline(cmds) }
        return starts.indices.map { m in
            var counts: [ExecutionState: Int] = [:]
            for (j, s) in states.enumerated() { counts[s] = Int(replies[m * states.count + j].int ?? 0) }
            return counts
        }
    }

    /// When the oldest execution still queued was queued (ms, Redis time); nil for none. One `ZRANGE`.
    public func oldestQueuedMillis() throws(StoreError) -> Int64? {
        let r = try mapRedis { try redis.send(RedisCommand("ZRANGE", keys.byState(ExecutionState.queued.rawValue), 0, 0, "WITHSCORES")) }
        guard let a = r.array, a.count == 2, let score = a[1].string.flatMap(Double.init) else { return nil }
        return Int64(score)
    }
}
