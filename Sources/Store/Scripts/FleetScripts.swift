extension Lua {
    /// A daemon's heartbeat, stamped with Redis time so liveness does not depend
    /// on the clocks of the hosts.
    ///
    ///     ARGV[3] daemon id   ARGV[4] TTL of the hash (s)   ARGV[5..] field, value pairs
    ///     Returns: the heartbeat time (ms)
    static let heartbeat = script("now_ms", body: #"""
local now = now_ms()
local h = P .. 'daemon:' .. ARGV[3]
redis.call('ZADD', P .. 'daemons', now, ARGV[3])
if #ARGV >= 5 then redis.call('HSET', h, unpack(ARGV, 5)) end
redis.call('HSET', h, 'heartbeat', now)
redis.call('EXPIRE', h, tonumber(ARGV[4]))
return now
"""#)

    /// Live daemons: those whose heartbeat is younger than a bound; prunes
    /// entries older than a longer bound.
    ///
    ///     ARGV[3] live within (ms)   ARGV[4] prune after (ms)
    ///     Returns: {now, {id, field/value list}...}
    static let liveDaemons = script("now_ms", body: #"""
local now = now_ms()
redis.call('ZREMRANGEBYSCORE', P .. 'daemons', '-inf', now - tonumber(ARGV[4]))
local ids = redis.call('ZRANGEBYSCORE', P .. 'daemons', now - tonumber(ARGV[3]), '+inf')
local out = { now }
for _, id in ipairs(ids) do
  out[#out + 1] = { id, redis.call('HGETALL', P .. 'daemon:' .. id) }
end
return out
"""#)

    /// The scheduler lease: take it when free, keep it when held.
    ///
    ///     ARGV[3] scheduler id   ARGV[4] TTL (ms)
    ///     Returns: {1 leader / 0 not, current leader id}
    static let leader = script(body: #"""
local k = P .. 'scheduler:leader'
local cur = redis.call('GET', k)
if (not cur) or cur == ARGV[3] then
  redis.call('SET', k, ARGV[3], 'PX', tonumber(ARGV[4]))
  return {1, ARGV[3]}
end
return {0, cur}
"""#)
}
