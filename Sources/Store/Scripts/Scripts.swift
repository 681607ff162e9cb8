import Redis

/// The compiled scripts (SHA-1 computed once).
enum Scripts {
    static let create = RedisScript(Lua.create)
    static let claim = RedisScript(Lua.claim)
    static let start = RedisScript(Lua.start)
    static let renew = RedisScript(Lua.renew)
    static let report = RedisScript(Lua.report)
    static let finish = RedisScript(Lua.finish)
    static let dispatchFailed = RedisScript(Lua.dispatchFailed)
    static let requeue = RedisScript(Lua.requeue)
    static let promote = RedisScript(Lua.promote)
    static let recover = RedisScript(Lua.recover)
    static let releaseWorker = RedisScript(Lua.releaseWorker)
    static let cancel = RedisScript(Lua.cancel)
    static let trim = RedisScript(Lua.trim)
    static let list = RedisScript(Lua.list)
    static let heartbeat = RedisScript(Lua.heartbeat)
    static let liveDaemons = RedisScript(Lua.liveDaemons)
    static let leader = RedisScript(Lua.leader)
}
