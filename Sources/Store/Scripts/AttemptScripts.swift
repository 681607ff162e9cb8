extension Lua {
    /// Workers started the children of attempts: one call carries `n` of them
    /// (a worker groups concurrent starts), each answered on its own.
    ///
    ///     ARGV[3] n, then n items of 7 (offset b = 4 + 7 * i):
    ///     b+0 id   b+1 attempt   b+2 worker id   b+3 lease (ms)
    ///     b+4 job type the dispatch names ('' skips the three checks)
    ///     b+5 its parameters (JSON object)   b+6 its timeout (s)
    ///     Returns: one reply per item: {1} running, {2} started but cancelling (the worker must
    ///              stop it), {0} already running on this worker, {-404} unknown id, {-409, current}
    ///              stale attempt, {-410} lease lost, {-1, state} wrong state, {-422, field}
    ///              the dispatch disagrees with the stored execution on `job`, `params` or `timeout`
    static let start = script("now_ms", "lease_expiries", "move_index", "event", body: #"""
local now, nows = now_ms()
local expiry = lease_expiries(4, 7, tonumber(ARGV[3]))
-- Whether two JSON objects of strings hold the same names and values (encodings may differ).
local function same_params(stored, given)
  local a = cjson.decode(stored or '{}')
  local ok, b = pcall(cjson.decode, given)
  if not ok or type(b) ~= 'table' then return false end
  for k, v in pairs(a) do if b[k] ~= v then return false end end
  for k, v in pairs(b) do if a[k] ~= v then return false end end
  return true
end
local function one(i, b)
  local id, attempt, worker = ARGV[b], tonumber(ARGV[b + 1]), ARGV[b + 2]
  local h = K.exec(id)
  local f = redis.call('HMGET', h, F.state, F.attempt, F.worker, F.runs, F.job, F.params, F.timeout, F.error)
  if not f[1] then return {-404} end
  if tonumber(f[2]) ~= attempt then return {-409, tonumber(f[2])} end
  -- The worker runs what the execution says, not what a dispatch body claims.
  if ARGV[b + 4] ~= '' then
    if f[5] ~= ARGV[b + 4] then return {-422, F.job} end
    if not same_params(f[6], ARGV[b + 5]) then return {-422, F.params} end
    if tonumber(f[7]) ~= tonumber(ARGV[b + 6]) then return {-422, F.timeout} end
  end
  local st = f[1]
  -- Another worker started this attempt (a dispatch that timed out was retried elsewhere).
  if f[3] and f[3] ~= worker then return {-410} end
  if st == S.running then return {0} end
  if st ~= S.dispatched and st ~= S.cancelling then return {-1, st} end
  if not (expiry[i] and expiry[i] > now) then return {-410} end
  local runs = tonumber(f[4] or '0') + 1
  zadd_later(K.leases, now + tonumber(ARGV[b + 3]), id)
  -- An attempt's figures are its own: what an earlier attempt (or a failed dispatch)
  -- left is in the history, not in the hash the new attempt is read from.
  if runs > 1 or f[8] then
    redis.call('HDEL', h, F.ended, F.exitCode, F.signal, F.result, F.reason, F.error, F.progress)
  end
  if st == S.cancelling then
    redis.call('HSET', h, F.worker, worker, F.started, nows, F.runs, runs)
    return {2}
  end
  redis.call('HSET', h, F.worker, worker, F.started, nows, F.runs, runs, F.state, S.running, F.updated, nows)
  move_index(id, st, S.running, nows)
  event(id, E.running, S.running, EF.attempt, ARGV[b + 1], EF.worker, worker)
  return {1}
end

local out = {}
for i = 0, tonumber(ARGV[3]) - 1 do out[i + 1] = one(i + 1, 4 + 7 * i) end
return out
"""#)

    /// Renews the leases of many attempts of one worker in one call.
    ///
    ///     ARGV[3] worker id   ARGV[4] lease (ms)   ARGV[5..] pairs: id, attempt
    ///     Returns: one code per pair: 1 renewed, 2 renewed but cancelling (stop it),
    ///              0 lost (expired, recovered, fenced or finished: stop it, write nothing)
    static let renew = script("now_ms", "LEASED", "lease_valid", body: #"""
local now = now_ms()
local lease = tonumber(ARGV[4])
local out = {}
for i = 5, #ARGV, 2 do
  local id, attempt = ARGV[i], tonumber(ARGV[i + 1])
  local f = redis.call('HMGET', K.exec(id), F.state, F.attempt, F.worker)
  local code = 0
  if f[1] and LEASED[f[1]] and tonumber(f[2]) == attempt and (not f[3] or f[3] == ARGV[3])
     and lease_valid(id, now) then
    redis.call('ZADD', K.leases, 'XX', now + lease, id)
    if f[1] == S.cancelling then code = 2 else code = 1 end
  end
  out[#out + 1] = code
end
return out
"""#)

    /// Output lines and progress of a running attempt (fenced by attempt number).
    ///
    ///     ARGV[3] id   ARGV[4] attempt   ARGV[5] progress ('' unchanged)
    ///     ARGV[6] max log lines   ARGV[7..] lines
    ///     Returns: 1 written, 0 fenced off (not the current attempt)
    static let report = script("TERMINAL", body: #"""
local id = ARGV[3]
local h = K.exec(id)
local f = redis.call('HMGET', h, F.attempt, F.state)
if (not f[1]) or tonumber(f[1]) ~= tonumber(ARGV[4]) or TERMINAL[f[2]] then return 0 end
if ARGV[5] ~= '' then redis.call('HSET', h, F.progress, ARGV[5]) end
if #ARGV >= 7 then
  local l = K.log(id)
  redis.call('RPUSH', l, unpack(ARGV, 7))
  redis.call('LTRIM', l, -tonumber(ARGV[6]), -1)
end
return 1
"""#)

    /// Ends an attempt: a terminal state, or back to the queue through `delayed`
    /// when the job type allows another attempt. Only the holder of the lease for
    /// this attempt may finish it.
    ///
    ///     ARGV[3] n, then n items of 11 (offset b = 4 + 11 * i; a worker groups concurrent ends):
    ///     b+0 id   b+1 attempt   b+2 worker
    ///     b+3 outcome: succeeded | failed | timed_out | cancelled
    ///     b+4 reason   b+5 exit code   b+6 signal   b+7 result (JSON)
    ///     b+8 retryable (1/0)   b+9 backoff (ms)   b+10 error text
    ///     Returns: one reply per item: {new state} or {-404} {-409, current} {-410} {-1, state}
    ///
    /// One HMGET reads what the decision needs (and which optional fields exist,
    /// so nothing absent is deleted), one HSET writes the transition.
    static let finish = script("now_ms", "LEASED", "lease_expiries", "release", "history_json", "move_index", "event", body: #"""
local now, nows = now_ms()
local expiry = lease_expiries(4, 11, tonumber(ARGV[3]))
local function one(i, b)
  local id, attempt, worker, outcome = ARGV[b], tonumber(ARGV[b + 1]), ARGV[b + 2], ARGV[b + 3]
  local h = K.exec(id)
  local f = redis.call('HMGET', h, F.state, F.attempt, F.job, F.runs, F.maxAttempts, F.worker,
    F.history, F.reason, F.error, F.ended)
  local st = f[1]
  if not st then return {-404} end
  if tonumber(f[2]) ~= attempt then return {-409, tonumber(f[2])} end
  if not LEASED[st] then return {-1, st} end
  if f[6] and f[6] ~= worker then return {-410} end
  if not (expiry[i] and expiry[i] > now) then return {-410} end
  local new = outcome
  if st == S.cancelling then
    if outcome == S.failed and ARGV[b + 8] == '1' then new = S.cancelled end
  elseif outcome == S.failed and ARGV[b + 8] == '1' and tonumber(f[4]) < tonumber(f[5]) then
    new = S.retrying
  end
  release(id, f[3])
  local fields = { F.state, new, F.updated, nows }
  local n = 4
  local dels = {}
  -- A success keeps no reason or error, neither given nor from an earlier attempt.
  if outcome == S.succeeded then
    if f[8] then dels[#dels + 1] = F.reason end
    if f[9] then dels[#dels + 1] = F.error end
  else
    if ARGV[b + 4] ~= '' then fields[n + 1] = F.reason; fields[n + 2] = ARGV[b + 4]; n = n + 2 end
    if ARGV[b + 10] ~= '' then fields[n + 1] = F.error; fields[n + 2] = ARGV[b + 10]; n = n + 2 end
  end
  if ARGV[b + 5] ~= '' then fields[n + 1] = F.exitCode; fields[n + 2] = ARGV[b + 5]; n = n + 2 end
  if ARGV[b + 6] ~= '' then fields[n + 1] = F.signal; fields[n + 2] = ARGV[b + 6]; n = n + 2 end
  if ARGV[b + 7] ~= '' then fields[n + 1] = F.result; fields[n + 2] = ARGV[b + 7]; n = n + 2 end
  -- The hash itself describes a single attempt; the history (JSON, which makes the
  -- hash leave Redis' compact encoding) is kept only once there is more than one.
  if new == S.retrying or f[7] then
    fields[n + 1] = F.history
    fields[n + 2] = history_json(f[7] or nil,
      { attempt = attempt, worker = worker, outcome = outcome, reason = ARGV[b + 4], at = now,
        exit_code = tonumber(ARGV[b + 5]), error = ARGV[b + 10] ~= '' and ARGV[b + 10] or nil })
    n = n + 2
  end
  if new == S.retrying then
    fields[n + 1] = F.ended; fields[n + 2] = nows; n = n + 2
    zadd_later(K.delayed, now + tonumber(ARGV[b + 9]), id)
  else
    fields[n + 1] = F.finished; fields[n + 2] = nows; n = n + 2
    if f[10] then dels[#dels + 1] = F.ended end
  end
  redis.call('HSET', h, unpack(fields))
  if #dels > 0 then redis.call('HDEL', h, unpack(dels)) end
  move_index(id, st, new, nows)
  if ARGV[b + 4] ~= '' then
    event(id, new, new, EF.job, f[3], EF.attempt, ARGV[b + 1], EF.reason, ARGV[b + 4])
  else
    event(id, new, new, EF.job, f[3], EF.attempt, ARGV[b + 1])
  end
  return {new}
end

local out = {}
for i = 0, tonumber(ARGV[3]) - 1 do out[i + 1] = one(i + 1, 4 + 11 * i) end
return out
"""#)
}
