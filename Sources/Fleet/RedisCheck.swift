import Daemon
import Redis

/// Checks Redis' persistence and eviction settings at start (DESIGN.md §4):
/// eviction other than `noeviction` would silently drop accepted executions, so
/// it is refused; weak persistence is warned about.
enum RedisCheck {
    static func run(_ redis: RedisClient, logger: Logger) throws {
        func config(_ name: String) -> String? {
            guard let r = try? redis.send(RedisCommand("CONFIG", "GET", name)), let a = r.array, a.count == 2 else { return nil }
            return a[1].string
        }
        guard let policy = config("maxmemory-policy") else {
            logger.warning("cannot read Redis' configuration (CONFIG GET refused); persistence and eviction not checked")
            return
        }
        if policy != "noeviction" {
            throw FleetError.redis("Redis evicts keys (maxmemory-policy \(policy)): accepted executions could vanish; set 'maxmemory-policy noeviction'")
        }
        let aof = config("appendonly") ?? "no"
        let fsync = config("appendfsync") ?? "?"
        let save = config("save") ?? ""
        if aof != "yes" {
            logger.warning("Redis runs without the append-only file: a Redis crash loses what changed since the last snapshot",
                           ["appendonly": aof, "save": save.isEmpty ? "off" : save])
        } else if fsync != "always" {
            logger.notice("Redis fsyncs the append-only file \(fsync): a Redis crash may lose the last second", ["appendfsync": fsync])
        }
    }
}
