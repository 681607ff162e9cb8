extension Lua {
    /// A dispatch failed on every instance tried: the attempt never started.
    /// Back to `delayed` with a backoff, or `failed: dispatch_exhausted`.
    ///
    ///     ARGV[3] id   ARGV[4] attempt   ARGV[5] exhausted (1/0)   ARGV[6] backoff (ms)
    ///     ARGV[7] error text
    ///     Returns: {new state} or {-404} {-409, current} {-1, state}
    static let dispatchFailed = script("now_ms", "release", "history", "set_state", "finish_terminal", "event", body: #"""
local id, attempt = ARGV[3], tonumber(ARGV[4])
local h = P .. 'exec:' .. id
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
  redis.call('ZADD', P .. 'delayed', now + tonumber(ARGV[6]), id)
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
local h = P .. 'exec:' .. id
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
redis.call('LPUSH', P .. 'queue:' .. f[4], id)
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
local ids = redis.call('ZRANGEBYSCORE', P .. 'delayed', '-inf', now, 'LIMIT', 0, tonumber(ARGV[3]))
local n = 0
for _, id in ipairs(ids) do
  redis.call('ZREM', P .. 'delayed', id)
  local h = P .. 'exec:' .. id
  local f = redis.call('HMGET', h, 'state', 'priority', 'job')
  if f[1] == 'retrying' then
    redis.call('RPUSH', P .. 'queue:' .. f[2], id)
    set_state(id, 'retrying', 'queued', now)
    redis.call('HSET', h, 'queued', now)
    event(id, 'queued', 'queued', 'job', f[3])
    n = n + 1
  end
end
return n
"""#)

    /// Recovers expired leases: the worker (or the gateway that claimed) is gone.
    /// A started attempt counts as lost; a job whose attempts were lost `poison`
    /// times fails as `poison`; otherwise it is retried while attempts are left,
    /// and fails as `worker_lost` when none are. An attempt that never started
    /// is retried without counting. A cancelling execution ends `cancelled`.
    ///
    ///     ARGV[3] max ids   ARGV[4] poison threshold   ARGV[5] backoff (ms)
    ///     Returns: flat list of id, new state
    static let recover = script("now_ms", "LEASED", "release", "history", "set_state", "finish_terminal", "event", body: #"""
local now = now_ms()
local ids = redis.call('ZRANGEBYSCORE', P .. 'leases', '-inf', now, 'LIMIT', 0, tonumber(ARGV[3]))
local out = {}
for _, id in ipairs(ids) do
  local h = P .. 'exec:' .. id
  local f = redis.call('HMGET', h, 'state', 'job', 'runs', 'max_attempts', 'lost', 'attempt', 'worker')
  local st = f[1]
  if not st or not LEASED[st] then
    redis.call('ZREM', P .. 'leases', id)
  else
    release(id, f[2])
    local new, reason = 'retrying', 'worker_lost'
    if st == 'cancelling' then
      new = 'cancelled'
    elseif st == 'running' then
      local lost = redis.call('HINCRBY', h, 'lost', 1)
      if lost >= tonumber(ARGV[4]) then new, reason = 'failed', 'poison'
      elseif tonumber(f[3]) >= tonumber(f[4]) then new = 'failed' end
    end
    history(id, { attempt = tonumber(f[6]), worker = f[7], outcome = 'lease_expired', reason = reason, at = now })
    if new == 'retrying' then
      redis.call('ZADD', P .. 'delayed', now + tonumber(ARGV[5]), id)
      set_state(id, st, new, now)
    else
      if new == 'failed' then redis.call('HSET', h, 'reason', reason) end
      finish_terminal(id, st, new, now)
    end
    event(id, new, new, 'job', f[2], 'reason', reason, 'attempt', f[6] or '0')
    out[#out + 1] = id
    out[#out + 1] = new
  end
end
return out
"""#)
}
