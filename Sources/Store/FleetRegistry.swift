import BatchCore
import FoundationEssentials
import Redis

/// A daemon as registered in Redis.
public struct DaemonInfo: Sendable, Hashable {
    public var id: String
    public var fields: [String: String]
    /// Redis time of its last heartbeat, ms.
    public var heartbeat: Int64
    /// Its registration expired without a clean stop: `fields` are what was last seen
    /// of it (role, host, address, slots), kept in `daemons:seen`.
    public var lost = false
    public var role: String { self[.role] ?? "" }
    public var address: String { self[.address] ?? "" }
    public var host: String { self[.host] ?? "" }
    public var pid: Int { Int(self[.pid] ?? "") ?? 0 }
    public subscript(_ field: DaemonField) -> String? { fields[field.rawValue] }
    /// A metrics snapshot value (`name` or `name{labels}`), when published.
    public func metric(_ name: String) -> Double? {
        guard let m = self[.metrics], let d = m.data(using: .utf8),
              let o = try? JSONDecoder().decode([String: Double].self, from: d) else { return nil }
        return o[name]
    }
    public var metrics: [String: Double] {
        guard let m = self[.metrics], let d = m.data(using: .utf8) else { return [:] }
        return (try? JSONDecoder().decode([String: Double].self, from: d)) ?? [:]
    }
}

/// Daemons, the job types workers serve, and circuit breakers: the `daemons`,
/// `daemon:<id>`, `worker:<id>:jobs`, `breakers:<gateway>` and
/// `breaker-overrides` keys.
public final class FleetRegistry: Sendable {
    public let redis: RedisClient
    public let keys: Keys
    let eventsMax: Int

    public init(redis: RedisClient, namespace: String, eventsMax: Int = 100_000) {
        self.redis = redis; self.keys = Keys(namespace: namespace); self.eventsMax = eventsMax
    }

    /// Writes the daemon's fields and heartbeat (Redis time). The hash expires
    /// when heartbeats stop, so a killed daemon disappears by itself.
    @discardableResult
    public func heartbeat(id: String, fields: [String: String], ttlSeconds: Int = 30) throws(StoreError) -> Int64 {
        var item = ScriptItem<HeartbeatArgument>()
        item[.id] = id; item[.ttl] = ttlSeconds
        var args: [any RedisArgument] = [keys.prefix, eventsMax] + item.values
        for (k, v) in fields.sorted(by: { $0.key < $1.key }) { args.append(k); args.append(v) }
        return try mapRedis { try redis.eval(Scripts.heartbeat, keys: [], args: args) }.int ?? 0
    }

    /// Registers the job types a worker serves (JSON per job type).
    public func registerJobs(worker: String, jobs: [String: String], ttlSeconds: Int = 30) throws(StoreError) {
        let k = keys.workerJobs(worker)
        var hset: [any RedisArgument] = ["HSET", k]
        for (j, v) in jobs.sorted(by: { $0.key < $1.key }) { hset.append(j); hset.append(v) }
        var cmds = [RedisCommand("DEL", k)]
        if !jobs.isEmpty { cmds.append(RedisCommand(hset)); cmds.append(RedisCommand("EXPIRE", k, ttlSeconds)) }
        _ = try mapRedis { try redis.pipeline([RedisCommand("MULTI")] + cmds + [RedisCommand("EXEC")]) }
    }

    /// Keeps a worker's job registration alive.
    public func touchJobs(worker: String, ttlSeconds: Int = 30) throws(StoreError) {
        _ = try mapRedis { try redis.send(RedisCommand("EXPIRE", keys.workerJobs(worker), ttlSeconds)) }
    }

    /// Removes a daemon's registration (clean stop).
    public func deregister(id: String) throws(StoreError) {
        _ = try mapRedis {
            try redis.pipeline([RedisCommand("ZREM", keys.daemons, id), RedisCommand("DEL", keys.daemon(id)),
                                RedisCommand("DEL", keys.workerJobs(id)), RedisCommand("HDEL", keys.daemonsSeen, id)])
        }
    }

    /// How long a daemon is remembered after its last heartbeat, at least.
    public static let remembered: Duration = .seconds(3600)

    /// Daemons whose heartbeat is younger than `within`, with Redis' time now. With
    /// `includeLost`, also those whose registration expired without a clean stop
    /// (marked `lost`, with what was last seen of them).
    public func live(within: Duration = .seconds(5), includeLost: Bool = false) throws(StoreError) -> (now: Int64, daemons: [DaemonInfo]) {
        let ms = Int(within.components.seconds * 1000)
        let prune = max(ms, Int(Self.remembered.components.seconds * 1000))
        var item = ScriptItem<LiveDaemonsArgument>()
        item[.liveWithin] = ms; item[.pruneAfter] = prune
        let args: [any RedisArgument] = [keys.prefix, eventsMax] + item.values
        let r = try mapRedis { try redis.eval(Scripts.liveDaemons, keys: [], args: args) }
        guard let a = r.array, let now = a.first?.int else { return (0, []) }
        var out: [DaemonInfo] = []
        for e in a.dropFirst() {
            guard let item = e.array, item.count >= 2, let id = item[0].string else { continue }
            let f = ExecutionStore.fieldMap(item[1])
            if !f.isEmpty {
                out.append(DaemonInfo(id: id, fields: f, heartbeat: Int64(f["heartbeat"] ?? "") ?? 0))
                continue
            }
            guard includeLost, item.count >= 4, let json = item[2].string, let d = json.data(using: .utf8),
                  let seen = try? JSONDecoder().decode([String: String].self, from: d) else { continue }
            let beat = Int64(item[3].string ?? "") ?? item[3].int ?? 0
            out.append(DaemonInfo(id: id, fields: seen, heartbeat: beat, lost: true))
        }
        return (now, out)
    }

    /// The job types each given worker serves: worker id → job type → JSON.
    public func jobs(of workers: [String]) throws(StoreError) -> [String: [String: String]] {
        if workers.isEmpty { return [:] }
        let r = try mapRedis { try redis.pipeline(workers.map { RedisCommand("HGETALL", keys.workerJobs($0)) }) }
        var out: [String: [String: String]] = [:]
        for (w, reply) in zip(workers, r) { out[w] = ExecutionStore.fieldMap(reply) }
        return out
    }

    /// Publishes one gateway's breakers: worker id → JSON.
    public func publishBreakers(gateway: String, states: [String: String], ttlSeconds: Int = 30) throws(StoreError) {
        let k = keys.breakers(gateway)
        var cmds = [RedisCommand("MULTI"), RedisCommand("DEL", k)]
        if !states.isEmpty {
            var h: [any RedisArgument] = ["HSET", k]
            for (w, v) in states.sorted(by: { $0.key < $1.key }) { h.append(w); h.append(v) }
            cmds.append(RedisCommand(h))
            cmds.append(RedisCommand("EXPIRE", k, ttlSeconds))
        }
        cmds.append(RedisCommand("EXEC"))
        _ = try mapRedis { try redis.pipeline(cmds) }
    }

    /// Every gateway's published breakers: gateway id → worker id → JSON.
    public func breakers(gateways: [String]) throws(StoreError) -> [String: [String: String]] {
        if gateways.isEmpty { return [:] }
        let r = try mapRedis { try redis.pipeline(gateways.map { RedisCommand("HGETALL", keys.breakers($0)) }) }
        var out: [String: [String: String]] = [:]
        for (g, reply) in zip(gateways, r) { out[g] = ExecutionStore.fieldMap(reply) }
        return out
    }

    /// Operator overrides of breakers for every gateway: worker id → `forced_open` | `closed` | `reset@<ms>`.
    public func breakerOverrides() throws(StoreError) -> [String: String] {
        ExecutionStore.fieldMap(try mapRedis { try redis.send(RedisCommand("HGETALL", keys.breakerOverrides)) })
    }

    /// Sets (or with nil clears) an operator override for one worker's breakers.
    public func setBreakerOverride(worker: String, _ value: String?, user: String, source: String) throws(StoreError) {
        var cmds: [RedisCommand] = []
        if let v = value { cmds.append(RedisCommand("HSET", keys.breakerOverrides, worker, v)) }
        else { cmds.append(RedisCommand("HDEL", keys.breakerOverrides, worker)) }
        cmds.append(RedisCommand("XADD", keys.audit, "MAXLEN", "~", eventsMax, "*", "action", "breaker",
                                 "worker", worker, "value", value ?? "clear", "user", user, "source", source))
        cmds.append(RedisCommand("XADD", keys.events, "MAXLEN", "~", eventsMax, "*", "type", "breaker",
                                 "worker", worker, "value", value ?? "clear", "user", user))
        _ = try mapRedis { try redis.pipeline(cmds) }
    }

    /// Redis' own clock, ms.
    public func redisTime() throws(StoreError) -> Int64 {
        let r = try mapRedis { try redis.send(RedisCommand("TIME")) }
        guard let a = r.array, a.count == 2, let s = a[0].int, let us = a[1].int else { throw .unexpectedReply("TIME: \(r)") }
        return s * 1000 + us / 1000
    }
}
