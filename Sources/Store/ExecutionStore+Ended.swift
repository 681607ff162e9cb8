import BatchCore
import Redis

extension ExecutionStore {
    /// How many executions reached each terminal state after `since` (ms, Redis time).
    /// Terminal executions never change again, so their score in `by-state:<state>`
    /// is the moment they ended: this counts ends in a window without reading records.
    public func endedCounts(since: Int64) throws(StoreError) -> [ExecutionState: Int] {
        let states = ExecutionState.allCases.filter(\.isTerminal)
        let cmds = states.map { RedisCommand("ZCOUNT", keys.byState($0.rawValue), "(\(since)", "+inf") }
        let replies = try mapRedis { try redis.pipeline(cmds) }
        var out: [ExecutionState: Int] = [:]
        for (s, r) in zip(states, replies) { out[s] = Int(r.int ?? 0) }
        return out
    }
}
