extension Lua {
    /// A daemon's heartbeat, stamped with Redis time so liveness does not depend
    /// on the clocks of the hosts.
    ///
    /// The daemon's role, host, address and slots are also remembered in `daemons:seen`,
    /// which outlives the hash: a daemon whose hash expired without a clean stop is
    /// *lost*, and consoles still show what it was.
    ///
    ///     ARGV[3] daemon id   ARGV[4] TTL of the hash (s)   ARGV[5..] field, value pairs
    ///     Returns: the heartbeat time (ms)
    static let heartbeat = script("now_ms", body: #"""
local now = now_ms()
local h = K.daemon(ARGV[3])
redis.call('ZADD', K.daemons, now, ARGV[3])
if #ARGV >= 5 then
  redis.call('HSET', h, unpack(ARGV, 5))
  local seen = {}
  for i = 5, #ARGV - 1, 2 do
    local k = ARGV[i]
    if k == 'role' or k == 'host' or k == 'address' or k == 'slots' then seen[k] = ARGV[i + 1] end
  end
  if seen.role then redis.call('HSET', K.daemonsSeen, ARGV[3], cjson.encode(seen)) end
end
redis.call('HSET', h, 'heartbeat', now)
redis.call('EXPIRE', h, tonumber(ARGV[4]))
return now
"""#)

    /// Live daemons: those whose heartbeat is younger than a bound; prunes
    /// entries older than a longer bound (and what `daemons:seen` remembers of them).
    /// A daemon whose hash expired (no clean stop) comes with what was seen of it.
    ///
    ///     ARGV[3] live within (ms)   ARGV[4] prune after (ms)
    ///     Returns: {now, {id, field/value list, seen JSON or false, last heartbeat}...}
    static let liveDaemons = script("now_ms", body: #"""
local now = now_ms()
local old = redis.call('ZRANGEBYSCORE', K.daemons, '-inf', now - tonumber(ARGV[4]))
if #old > 0 then
  redis.call('ZREM', K.daemons, unpack(old))
  redis.call('HDEL', K.daemonsSeen, unpack(old))
end
local ids = redis.call('ZRANGEBYSCORE', K.daemons, now - tonumber(ARGV[3]), '+inf', 'WITHSCORES')
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
    ///     ARGV[3] scheduler id   ARGV[4] TTL (ms)
    ///     Returns: {1 leader / 0 not, current leader id}
    static let leader = script(body: #"""
local k = K.schedulerLeader
local cur = redis.call('GET', k)
if (not cur) or cur == ARGV[3] then
  redis.call('SET', k, ARGV[3], 'PX', tonumber(ARGV[4]))
  return {1, ARGV[3]}
end
return {0, cur}
"""#)
}
