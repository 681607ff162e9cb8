import BatchCore
import Redis

extension ExecutionStore {
    /// How many executions reached each terminal state at or after `since` (Redis time, ms):
    /// a `ZCOUNT` of each `by-state` index, whose score is the time of the last change.
    public func endedSince(_ since: Int64) throws(StoreError) -> [ExecutionState: Int] {
        let states = ExecutionState.terminal
        let replies = try mapRedis { try redis.pipeline(states.map { RedisCommand("ZCOUNT", keys.byState($0.rawValue), since, "+inf") }) }
        var out: [ExecutionState: Int] = [:]
        for (s, r) in zip(states, replies) { out[s] = Int(r.int ?? 0) }
        return out
    }
}
