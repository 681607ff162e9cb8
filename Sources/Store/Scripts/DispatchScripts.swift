extension Lua {
    /// A dispatch failed on every instance tried: the attempt never started.
    /// Back to `delayed` with a backoff, or `failed: dispatch_exhausted`.
    ///
    ///     ARGV[3] id   ARGV[4] attempt   ARGV[5] exhausted (1/0)   ARGV[6] backoff (ms)
    ///     ARGV[7] error text
    ///     Returns: {new state} or {-404} {-409, current} {-1, state}
    static let dispatchFailed = script("now_ms", "release", "history", "set_state", "finish_terminal", "event", body: #"""
local id, attempt = ARGV[3], tonumber(ARGV[4])
local h = K.exec(id)
local f = redis.call('HMGET', h, 'state', 'attempt', 'job')
if not f[1] then return {-404} end
if tonumber(f[2]) ~= attempt then return {-409, tonumber(f[2])} end
local st = f[1]
if st ~= 'dispatched' and st ~= 'cancelling' then return {-1, st} end
local now = now_ms()
release(id, f[3])
redis.call('HINCRBY', h, 'dispatch_failures', 1)
if ARGV[7] ~= '' then redis.call('HSET', h, 'error', ARGV[7]) end
history(id, { attempt = attempt, outcome = 'dispatch_failed', reason = ARGV[7], at = now })
local new
if st == 'cancelling' then
  new = 'cancelled'; finish_terminal(id, st, new, now)
elseif ARGV[5] == '1' then
  new = 'failed'
  redis.call('HSET', h, 'reason', 'dispatch_exhausted')
  finish_terminal(id, st, new, now)
else
  new = 'retrying'
  redis.call('ZADD', K.delayed, now + tonumber(ARGV[6]), id)
  set_state(id, st, new, now)
end
event(id, new, new, 'job', f[3], 'attempt', attempt, 'reason', 'dispatch_failed')
return {new}
"""#)

    /// Gives an attempt back to the front of its queue without counting it:
    /// every worker refused it (full), or a draining worker handed it back.
    ///
    ///     ARGV[3] id   ARGV[4] attempt   ARGV[5] worker ('' when the gateway gives it back)
    ///     Returns: {new state} or {-404} {-409, current} {-1, state} {-410}
    static let requeue = script("now_ms", "LEASED", "release", "set_state", "finish_terminal", "event", body: #"""
local id, attempt = ARGV[3], tonumber(ARGV[4])
local h = K.exec(id)
local f = redis.call('HMGET', h, 'state', 'attempt', 'job', 'priority', 'worker')
if not f[1] then return {-404} end
if tonumber(f[2]) ~= attempt then return {-409, tonumber(f[2])} end
local st = f[1]
if not LEASED[st] then return {-1, st} end
if ARGV[5] ~= '' and f[5] and f[5] ~= ARGV[5] then return {-410} end
local now = now_ms()
release(id, f[3])
if st == 'cancelling' then
  finish_terminal(id, st, 'cancelled', now)
  event(id, 'cancelled', 'cancelled', 'job', f[3], 'attempt', attempt)
  return {'cancelled'}
end
if st == 'running' then redis.call('HINCRBY', h, 'runs', -1) end
redis.call('HDEL', h, 'worker')
redis.call('LPUSH', K.queue(f[4]), id)
set_state(id, st, 'queued', now)
redis.call('HSET', h, 'queued', now)
event(id, 'requeued', 'queued', 'job', f[3], 'attempt', attempt)
return {'queued'}
"""#)

    /// Moves retries whose backoff is over back to their queue.
    ///
    ///     ARGV[3] max ids this call
    ///     Returns: number promoted
    static let promote = script("now_ms", "set_state", "event", body: #"""
local now = now_ms()
local ids = redis.call('ZRANGEBYSCORE', K.delayed, '-inf', now, 'LIMIT', 0, tonumber(ARGV[3]))
local n = 0
for _, id in ipairs(ids) do
  redis.call('ZREM', K.delayed, id)
  local h = K.exec(id)
  local f = redis.call('HMGET', h, 'state', 'priority', 'job')
  if f[1] == 'retrying' then
    redis.call('RPUSH', K.queue(f[2]), id)
    set_state(id, 'retrying', 'queued', now)
    redis.call('HSET', h, 'queued', now)
    event(id, 'queued', 'queued', 'job', f[3])
    n = n + 1
  end
end
return n
"""#)

    /// Recovers expired leases: the worker (or the gateway that claimed) is gone.
    /// Each goes through `lose_attempt` (see `Lua.loseAttempt`).
    ///
    ///     ARGV[3] max ids   ARGV[4] poison threshold   ARGV[5] backoff (ms)
    ///     Returns: flat list of id, new state
    static let recover = script("now_ms", "lose_attempt", body: #"""
local now = now_ms()
local ids = redis.call('ZRANGEBYSCORE', K.leases, '-inf', now, 'LIMIT', 0, tonumber(ARGV[3]))
local out = {}
for _, id in ipairs(ids) do
  local h = K.exec(id)
  local f = redis.call('HMGET', h, 'state', 'job', 'runs', 'max_attempts', 'lost', 'attempt', 'worker')
  if not f[1] or not LEASED[f[1]] then
    redis.call('ZREM', K.leases, id)
  else
    out[#out + 1] = id
    out[#out + 1] = lose_attempt(id, f, now, tonumber(ARGV[4]), tonumber(ARGV[5]), 'lease_expired')
  end
end
return out
"""#)

    /// A worker starting under an id hands back, at once, every attempt an earlier run of that
    /// id still holds (it died, and its children with it): each goes through `lose_attempt`,
    /// as if its lease had expired. Attempts this run holds already are named and kept.
    ///
    ///     ARGV[3] worker id   ARGV[4] poison threshold   ARGV[5] backoff (ms)
    ///     ARGV[6..] pairs: id, attempt held by this run (kept)
    ///     Returns: flat list of id, new state
    static let releaseWorker = script("now_ms", "lose_attempt", body: #"""
local now = now_ms()
local keep = {}
for i = 6, #ARGV, 2 do keep[ARGV[i]] = tonumber(ARGV[i + 1]) end
local ids = redis.call('ZRANGE', K.leases, 0, -1)
local out = {}
for _, id in ipairs(ids) do
  local f = redis.call('HMGET', K.exec(id), 'state', 'job', 'runs', 'max_attempts', 'lost', 'attempt', 'worker')
  if f[1] and LEASED[f[1]] and f[7] == ARGV[3] and keep[id] ~= tonumber(f[6]) then
    out[#out + 1] = id
    out[#out + 1] = lose_attempt(id, f, now, tonumber(ARGV[4]), tonumber(ARGV[5]), 'worker_restarted')
  end
end
return out
"""#)
}
