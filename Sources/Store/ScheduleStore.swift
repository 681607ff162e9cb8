import FoundationEssentials
import Redis

/// Schedules' status, pauses, the scheduler lease and the once-per-fire keys.
public final class ScheduleStore: Sendable {
    public let redis: RedisClient
    public let keys: Keys
    let eventsMax: Int

    public init(redis: RedisClient, namespace: String, eventsMax: Int = 100_000) {
        self.redis = redis; self.keys = Keys(namespace: namespace); self.eventsMax = eventsMax
    }

    /// Takes or keeps the leadership lease. - Returns: whether this scheduler leads, and who does.
    public func lead(id: String, ttlMillis: Int) throws(StoreError) -> (leader: Bool, holder: String) {
        var item = ScriptItem<LeaderArgument>()
        item[.id] = id; item[.ttl] = ttlMillis
        let args: [any RedisArgument] = [keys.prefix, eventsMax] + item.values
        let r = try mapRedis { try redis.eval(Scripts.leader, keys: [], args: args) }
        guard let a = r.array, a.count == 2 else { throw .unexpectedReply("leader: \(r)") }
        return (a[0].int == 1, a[1].string ?? "")
    }

    /// The leading scheduler's id; nil while no scheduler holds the lease.
    public func leader() throws(StoreError) -> String? {
        try mapRedis { try redis.send(RedisCommand("GET", keys.schedulerLeader)) }.string
    }

    /// Gives up leadership if held (clean stop).
    public func resign(id: String) throws(StoreError) {
        let script = RedisScript("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0")
        _ = try mapRedis { try redis.eval(script, keys: [keys.schedulerLeader], args: [id]) }
    }

    /// Claims one fire of one schedule: true exactly once per (schedule, instant).
    public func claimFire(schedule: String, epochMillis: Int64, owner: String, ttlSeconds: Int) throws(StoreError) -> Bool {
        let r = try mapRedis { try redis.send(RedisCommand("SET", keys.fire(schedule, epochMillis), owner, "NX", "EX", ttlSeconds)) }
        return !r.isNull
    }

    /// Binds a claimed fire to the request about to be delivered for it: the fire key becomes
    /// `claimed:<owner>:<fingerprint>` (keeping its TTL), and a gateway creates an execution
    /// under the fire's idempotency key `schedule:<name>:<epoch-ms>` only for a request with
    /// that fingerprint. Only a process with write access to Redis can bind, so a client of
    /// the gateway cannot take a fire's place. - Returns: false when the key is gone (expired).
    public func bindFire(schedule: String, epochMillis: Int64, owner: String, fingerprint: String) throws(StoreError) -> Bool {
        let r = try mapRedis {
            try redis.send(RedisCommand("SET", keys.fire(schedule, epochMillis), "claimed:\(owner):\(fingerprint)", "XX", "KEEPTTL"))
        }
        if let e = r.errorMessage { throw .unexpectedReply("SET XX fire: \(e)") }
        return !r.isNull
    }

    /// Records what a claimed fire became (an execution id, or `failed:<why>`).
    public func recordFire(schedule: String, epochMillis: Int64, value: String, ttlSeconds: Int) throws(StoreError) {
        _ = try mapRedis { try redis.send(RedisCommand("SET", keys.fire(schedule, epochMillis), value, "EX", ttlSeconds)) }
    }

    /// What a fire key holds, if anything.
    public func fireValue(schedule: String, epochMillis: Int64) throws(StoreError) -> String? {
        try mapRedis { try redis.send(RedisCommand("GET", keys.fire(schedule, epochMillis))) }.string
    }

    /// Writes every schedule's status JSON at once.
    public func publish(statuses: [String: String]) throws(StoreError) {
        if statuses.isEmpty { return }
        var h: [any RedisArgument] = ["HSET", keys.schedules]
        for (n, v) in statuses.sorted(by: { $0.key < $1.key }) { h.append(n); h.append(v) }
        _ = try mapRedis { try redis.send(RedisCommand(h)) }
    }

    /// Removes schedules no longer in the configuration.
    public func remove(names: [String]) throws(StoreError) {
        if names.isEmpty { return }
        _ = try mapRedis { try redis.send(RedisCommand(["HDEL", keys.schedules] + names)) }
    }

    /// Every schedule's status JSON.
    public func statuses() throws(StoreError) -> [String: String] {
        ExecutionStore.fieldMap(try mapRedis { try redis.send(RedisCommand("HGETALL", keys.schedules)) })
    }

    /// Names of paused schedules.
    public func paused() throws(StoreError) -> Set<String> {
        Set(ExecutionStore.fieldMap(try mapRedis { try redis.send(RedisCommand("HGETALL", keys.schedulesPaused)) }).keys)
    }

    /// Pauses or resumes a schedule for every scheduler, and audits it.
    public func setPaused(_ name: String, _ paused: Bool, user: String, source: String) throws(StoreError) {
        let change = paused ? RedisCommand("HSET", keys.schedulesPaused, name, "1") : RedisCommand("HDEL", keys.schedulesPaused, name)
        let action = paused ? "pause" : "resume"
        _ = try mapRedis {
            try redis.pipeline([
                change,
                RedisCommand("XADD", keys.audit, "MAXLEN", "~", eventsMax, "*", "action", action, "schedule", name, "user", user, "source", source),
                RedisCommand("XADD", keys.events, "MAXLEN", "~", eventsMax, "*", "type", action, "schedule", name, "user", user),
            ])
        }
    }
}
