extension Lua {
    /// A daemon's heartbeat, stamped with Redis time so liveness does not depend
    /// on the clocks of the hosts.
    ///
    /// The daemon's role, host, address and slots are also remembered in `daemons:seen`,
    /// which outlives the hash: a daemon whose hash expired without a clean stop is
    /// *lost*, and consoles still show what it was.
    ///
    ///     `HeartbeatArgument`, then field, value pairs
    ///     Returns: the heartbeat time (ms)
    static let heartbeat = script("now_ms", call: HeartbeatArgument.self, body: #"""
local now = now_ms()
local h = K.daemon(A.id)
redis.call('ZADD', K.daemons, now, A.id)
if #ARGV >= A_REST then
  redis.call('HSET', h, unpack(ARGV, A_REST))
  local seen = {}
  for i = A_REST, #ARGV - 1, 2 do
    local k = ARGV[i]
    if k == D.role or k == D.host or k == D.address or k == D.slots then seen[k] = ARGV[i + 1] end
  end
  if seen[D.role] then redis.call('HSET', K.daemonsSeen, A.id, cjson.encode(seen)) end
end
redis.call('HSET', h, D.heartbeat, now)
redis.call('EXPIRE', h, tonumber(A.ttl))
return now
"""#)

    /// Live daemons: those whose heartbeat is younger than a bound; prunes
    /// entries older than a longer bound (and what `daemons:seen` remembers of them).
    /// A daemon whose hash expired (no clean stop) comes with what was seen of it.
    ///
    ///     `LiveDaemonsArgument`
    ///     Returns: {now, {id, field/value list, seen JSON or false, last heartbeat}...}
    static let liveDaemons = script("now_ms", call: LiveDaemonsArgument.self, body: #"""
local now = now_ms()
local old = redis.call('ZRANGEBYSCORE', K.daemons, '-inf', now - tonumber(A.pruneAfter))
if #old > 0 then
  redis.call('ZREM', K.daemons, unpack(old))
  redis.call('HDEL', K.daemonsSeen, unpack(old))
end
local ids = redis.call('ZRANGEBYSCORE', K.daemons, now - tonumber(A.liveWithin), '+inf', 'WITHSCORES')
local out = { now }
for i = 1, #ids, 2 do
  local id = ids[i]
  local fields = redis.call('HGETALL', K.daemon(id))
  local seen = false
  if #fields == 0 then seen = redis.call('HGET', K.daemonsSeen, id) end
  out[#out + 1] = { id, fields, seen, ids[i + 1] }
end
return out
"""#)

    /// The scheduler lease: take it when free, keep it when held.
    ///
    ///     `LeaderArgument`
    ///     Returns: {1 leader / 0 not, current leader id}
    static let leader = script(call: LeaderArgument.self, body: #"""
local k = K.schedulerLeader
local cur = redis.call('GET', k)
if (not cur) or cur == A.id then
  redis.call('SET', k, A.id, 'PX', tonumber(A.ttl))
  return {1, A.id}
end
return {0, cur}
"""#)
}

/// The arguments of `Lua.heartbeat`, before its field, value pairs.
enum HeartbeatArgument: Int, ScriptArguments {
    /// The daemon's id.
    case id
    /// TTL of the daemon's hash, s.
    case ttl
}

/// The arguments of `Lua.liveDaemons`.
enum LiveDaemonsArgument: Int, ScriptArguments {
    /// ms.
    case liveWithin
    /// ms.
    case pruneAfter
}

/// The arguments of `Lua.leader`.
enum LeaderArgument: Int, ScriptArguments {
    /// The scheduler's id.
    case id
    /// ms.
    case ttl
}
