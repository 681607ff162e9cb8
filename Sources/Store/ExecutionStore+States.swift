import BatchCore
import Redis

extension ExecutionStore {
    /// The current state and finish time of many executions in one round trip;
    /// unknown (or trimmed) ids are left out.
    public func states(_ ids: [String]) throws(StoreError) -> [String: (state: ExecutionState, finished: Int64?)] {
        let valid = ids.filter(ExecutionID.isValid)
        if valid.isEmpty { return [:] }
        let replies = try mapRedis { try redis.pipeline(valid.map { RedisCommand("HMGET", keys.exec($0), "state", "finished") }) }
        var out: [String: (state: ExecutionState, finished: Int64?)] = [:]
        for (id, reply) in zip(valid, replies) {
            guard let a = reply.array, a.count == 2, let s = a[0].string, let state = ExecutionState(rawValue: s) else { continue }
            out[id] = (state, a[1].string.flatMap { Int64($0) })
        }
        return out
    }
}
