extension Lua {
    /// A worker started the child of an attempt.
    ///
    ///     ARGV[3] id   ARGV[4] attempt   ARGV[5] worker id   ARGV[6] lease (ms)
    ///     Returns: 1 running, 2 started but cancelling (the worker must stop it),
    ///              0 already running on this worker, -404 unknown id, -409 stale attempt
    ///              (current attempt as second element), -410 lease lost, -1 wrong state
    static let start = prelude + #"""
local id, attempt = ARGV[3], tonumber(ARGV[4])
local h = P .. 'exec:' .. id
local f = redis.call('HMGET', h, 'state', 'attempt', 'worker')
if not f[1] then return {-404} end
if tonumber(f[2]) ~= attempt then return {-409, tonumber(f[2])} end
local st = f[1]
-- Another worker started this attempt (a dispatch that timed out was retried elsewhere).
if f[3] and f[3] ~= ARGV[5] then return {-410} end
if st == 'running' then return {0} end
if st ~= 'dispatched' and st ~= 'cancelling' then return {-1, st} end
local now = now_ms()
if not lease_valid(id, now) then return {-410} end
redis.call('HSET', h, 'worker', ARGV[5], 'started', now)
redis.call('HINCRBY', h, 'runs', 1)
redis.call('ZADD', P .. 'leases', now + tonumber(ARGV[6]), id)
if st == 'cancelling' then return {2} end
set_state(id, st, 'running', now)
event(id, 'running', 'running', 'attempt', attempt, 'worker', ARGV[5])
return {1}
"""#

    /// Renews the leases of many attempts of one worker in one call.
    ///
    ///     ARGV[3] worker id   ARGV[4] lease (ms)   ARGV[5..] pairs: id, attempt
    ///     Returns: one code per pair: 1 renewed, 2 renewed but cancelling (stop it),
    ///              0 lost (expired, recovered, fenced or finished: stop it, write nothing)
    static let renew = prelude + #"""
local now = now_ms()
local lease = tonumber(ARGV[4])
local out = {}
for i = 5, #ARGV, 2 do
  local id, attempt = ARGV[i], tonumber(ARGV[i + 1])
  local f = redis.call('HMGET', P .. 'exec:' .. id, 'state', 'attempt', 'worker')
  local code = 0
  if f[1] and LEASED[f[1]] and tonumber(f[2]) == attempt and (not f[3] or f[3] == ARGV[3])
     and lease_valid(id, now) then
    redis.call('ZADD', P .. 'leases', 'XX', now + lease, id)
    if f[1] == 'cancelling' then code = 2 else code = 1 end
  end
  out[#out + 1] = code
end
return out
"""#

    /// Output lines and progress of a running attempt (fenced by attempt number).
    ///
    ///     ARGV[3] id   ARGV[4] attempt   ARGV[5] progress ('' unchanged)
    ///     ARGV[6] max log lines   ARGV[7..] lines
    ///     Returns: 1 written, 0 fenced off (not the current attempt)
    static let report = prelude + #"""
local id = ARGV[3]
local h = P .. 'exec:' .. id
local f = redis.call('HMGET', h, 'attempt', 'state')
if (not f[1]) or tonumber(f[1]) ~= tonumber(ARGV[4]) or TERMINAL[f[2]] then return 0 end
if ARGV[5] ~= '' then redis.call('HSET', h, 'progress', ARGV[5]) end
if #ARGV >= 7 then
  local l = P .. 'log:' .. id
  redis.call('RPUSH', l, unpack(ARGV, 7))
  redis.call('LTRIM', l, -tonumber(ARGV[6]), -1)
end
return 1
"""#

    /// Ends an attempt: a terminal state, or back to the queue through `delayed`
    /// when the job type allows another attempt. Only the holder of the lease for
    /// this attempt may finish it.
    ///
    ///     ARGV[3] id   ARGV[4] attempt   ARGV[5] worker
    ///     ARGV[6] outcome: succeeded | failed | timed_out | cancelled
    ///     ARGV[7] reason   ARGV[8] exit code   ARGV[9] signal   ARGV[10] result (JSON)
    ///     ARGV[11] retryable (1/0)   ARGV[12] backoff (ms)   ARGV[13] error text
    ///     Returns: {new state} or {-404} {-409, current} {-410} {-1, state}
    static let finish = prelude + #"""
local id, attempt, worker, outcome = ARGV[3], tonumber(ARGV[4]), ARGV[5], ARGV[6]
local h = P .. 'exec:' .. id
local f = redis.call('HMGET', h, 'state', 'attempt', 'job', 'runs', 'max_attempts', 'worker')
local st = f[1]
if not st then return {-404} end
if tonumber(f[2]) ~= attempt then return {-409, tonumber(f[2])} end
if not LEASED[st] then return {-1, st} end
if f[6] and f[6] ~= worker then return {-410} end
local now = now_ms()
if not lease_valid(id, now) then return {-410} end
local new = outcome
if st == 'cancelling' then
  if outcome == 'failed' and ARGV[11] == '1' then new = 'cancelled' end
elseif outcome == 'failed' and ARGV[11] == '1' and tonumber(f[4]) < tonumber(f[5]) then
  new = 'retrying'
end
release(id, f[3])
local fields = {}
local opt = { reason = ARGV[7], exit_code = ARGV[8], signal = ARGV[9], result = ARGV[10], error = ARGV[13] }
for k, v in pairs(opt) do if v ~= '' then table.insert(fields, k); table.insert(fields, v) end end
if #fields > 0 then redis.call('HSET', h, unpack(fields)) end
if outcome == 'succeeded' then redis.call('HDEL', h, 'reason', 'error') end
-- The hash itself describes a single attempt; the history (JSON, which makes the
-- hash leave Redis' compact encoding) is kept only once there is more than one.
if new == 'retrying' or redis.call('HEXISTS', h, 'history') == 1 then
  history(id, { attempt = attempt, worker = worker, outcome = outcome, reason = ARGV[7], at = now })
end
if new == 'retrying' then
  redis.call('HSET', h, 'ended', now)
  redis.call('ZADD', P .. 'delayed', now + tonumber(ARGV[12]), id)
  set_state(id, st, 'retrying', now)
else
  redis.call('HDEL', h, 'ended')
  finish_terminal(id, st, new, now)
end
event(id, new, new, 'job', f[3], 'attempt', attempt, 'reason', ARGV[7])
return {new}
"""#
}
