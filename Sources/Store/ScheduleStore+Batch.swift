import Redis

extension ScheduleStore {
    /// Claims many fires in one round trip (a pipeline of `SET NX`): for each
    /// (schedule, instant), true exactly once across every scheduler.
    public func claimFires(_ fires: [(schedule: String, epochMillis: Int64)], owner: String,
                           ttlSeconds: Int) throws(StoreError) -> [Bool] {
        if fires.isEmpty { return [] }
        let commands = fires.map { RedisCommand("SET", keys.fire($0.schedule, $0.epochMillis), owner, "NX", "EX", ttlSeconds) }
        let replies = try mapRedis { try redis.pipeline(commands) }
        return try replies.map { reply throws(StoreError) in
            if let e = reply.errorMessage { throw .unexpectedReply("SET NX fire: \(e)") }
            return !reply.isNull
        }
    }

    /// What many fire keys hold (nil where unset), in one round trip.
    public func fireValues(_ fires: [(schedule: String, epochMillis: Int64)]) throws(StoreError) -> [String?] {
        if fires.isEmpty { return [] }
        let replies = try mapRedis { try redis.pipeline(fires.map { RedisCommand("GET", keys.fire($0.schedule, $0.epochMillis)) }) }
        return replies.map(\.string)
    }
}

extension ScheduleStore {
    /// Records what many claimed fires became, in one round trip.
    public func recordFires(_ records: [(schedule: String, epochMillis: Int64, value: String)], ttlSeconds: Int) throws(StoreError) {
        if records.isEmpty { return }
        let commands = records.map { RedisCommand("SET", keys.fire($0.schedule, $0.epochMillis), $0.value, "EX", ttlSeconds) }
        let replies = try mapRedis { try redis.pipeline(commands) }
        if let e = replies.compactMap(\.errorMessage).first { throw .unexpectedReply("SET fire: \(e)") }
    }
}
