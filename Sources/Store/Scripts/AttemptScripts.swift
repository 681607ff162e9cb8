extension Lua {
    /// Workers started the children of attempts: one call carries `n` of them
    /// (a worker groups concurrent starts), each answered on its own.
    ///
    ///     ARGV[3] n, then n items of `StartArgument` (offset b = 4 + A_SIZE * i)
    ///     Returns: one reply per item: {1} running, {2} started but cancelling (the worker must
    ///              stop it), {0} already running on this worker, {-404} unknown id, {-409, current}
    ///              stale attempt, {-410} lease lost, {-1, state} wrong state, {-422, field}
    ///              the dispatch disagrees with the stored execution on `job`, `params` or `timeout`
    static let start = script("now_ms", "lease_expiries", "move_index", "event", arguments: StartArgument.self, body: #"""
local now, nows = now_ms()
local expiry = lease_expiries(4, A_SIZE, tonumber(ARGV[3]))
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
  local id, attempt, worker = A.id, tonumber(A.attempt), A.worker
  local h = K.exec(id)
  local f = redis.call('HMGET', h, F.state, F.attempt, F.worker, F.runs, F.job, F.params, F.timeout, F.error)
  if not f[1] then return {C.notFound} end
  if tonumber(f[2]) ~= attempt then return {C.staleAttempt, tonumber(f[2])} end
  -- The worker runs what the execution says, not what a dispatch body claims.
  if A.job ~= '' then
    if f[5] ~= A.job then return {C.dispatchMismatch, F.job} end
    if not same_params(f[6], A.params) then return {C.dispatchMismatch, F.params} end
    if tonumber(f[7]) ~= tonumber(A.timeout) then return {C.dispatchMismatch, F.timeout} end
  end
  local st = f[1]
  -- Another worker started this attempt (a dispatch that timed out was retried elsewhere).
  if f[3] and f[3] ~= worker then return {C.leaseLost} end
  if st == S.running then return {0} end
  if st ~= S.dispatched and st ~= S.cancelling then return {C.wrongState, st} end
  if not (expiry[i] and expiry[i] > now) then return {C.leaseLost} end
  local runs = tonumber(f[4] or '0') + 1
  zadd_later(K.leases, now + tonumber(A.lease), id)
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
  event(id, E.running, S.running, EF.attempt, A.attempt, EF.worker, worker)
  return {1}
end

local out = {}
for i = 0, tonumber(ARGV[3]) - 1 do out[i + 1] = one(i + 1, 4 + A_SIZE * i) end
return out
"""#)

    /// Renews the leases of many attempts of one worker in one call.
    ///
    ///     `RenewArgument`, then pairs: id, attempt
    ///     Returns: one code per pair: 1 renewed, 2 renewed but cancelling (stop it),
    ///              0 lost (expired, recovered, fenced or finished: stop it, write nothing)
    static let renew = script("now_ms", "LEASED", "lease_valid", call: RenewArgument.self, body: #"""
local now = now_ms()
local lease = tonumber(A.lease)
local out = {}
for i = A_REST, #ARGV, 2 do
  local id, attempt = ARGV[i], tonumber(ARGV[i + 1])
  local f = redis.call('HMGET', K.exec(id), F.state, F.attempt, F.worker)
  local code = 0
  if f[1] and LEASED[f[1]] and tonumber(f[2]) == attempt and (not f[3] or f[3] == A.worker)
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
    ///     `ReportArgument`, then the lines
    ///     Returns: 1 written, 0 fenced off (not the current attempt)
    static let report = script("TERMINAL", call: ReportArgument.self, body: #"""
local id = A.id
local h = K.exec(id)
local f = redis.call('HMGET', h, F.attempt, F.state)
if (not f[1]) or tonumber(f[1]) ~= tonumber(A.attempt) or TERMINAL[f[2]] then return 0 end
if A.progress ~= '' then redis.call('HSET', h, F.progress, A.progress) end
if #ARGV >= A_REST then
  local l = K.log(id)
  redis.call('RPUSH', l, unpack(ARGV, A_REST))
  redis.call('LTRIM', l, -tonumber(A.logLines), -1)
end
return 1
"""#)

    /// Ends an attempt: a terminal state, or back to the queue through `delayed`
    /// when the job type allows another attempt. Only the holder of the lease for
    /// this attempt may finish it.
    ///
    ///     ARGV[3] n, then n items of `FinishArgument` (offset b = 4 + A_SIZE * i; a worker groups concurrent ends)
    ///     Returns: one reply per item: {new state} or {-404} {-409, current} {-410} {-1, state}
    ///
    /// One HMGET reads what the decision needs (and which optional fields exist,
    /// so nothing absent is deleted), one HSET writes the transition.
    static let finish = script("now_ms", "LEASED", "lease_expiries", "release", "history_json", "move_index", "event", "unlock", arguments: FinishArgument.self, body: #"""
local now, nows = now_ms()
local expiry = lease_expiries(4, A_SIZE, tonumber(ARGV[3]))
local function one(i, b)
  local id, attempt, worker, outcome = A.id, tonumber(A.attempt), A.worker, A.outcome
  local h = K.exec(id)
  local f = redis.call('HMGET', h, F.state, F.attempt, F.job, F.runs, F.maxAttempts, F.worker,
    F.history, F.reason, F.error, F.ended, F.uniqueKey)
  local st = f[1]
  if not st then return {C.notFound} end
  if tonumber(f[2]) ~= attempt then return {C.staleAttempt, tonumber(f[2])} end
  if not LEASED[st] then return {C.wrongState, st} end
  if f[6] and f[6] ~= worker then return {C.leaseLost} end
  if not (expiry[i] and expiry[i] > now) then return {C.leaseLost} end
  local new = outcome
  if st == S.cancelling then
    if outcome == S.failed and A.retryable == '1' then new = S.cancelled end
  elseif outcome == S.failed and A.retryable == '1' and tonumber(f[4]) < tonumber(f[5]) then
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
    if A.reason ~= '' then fields[n + 1] = F.reason; fields[n + 2] = A.reason; n = n + 2 end
    if A.error ~= '' then fields[n + 1] = F.error; fields[n + 2] = A.error; n = n + 2 end
  end
  if A.exitCode ~= '' then fields[n + 1] = F.exitCode; fields[n + 2] = A.exitCode; n = n + 2 end
  if A.signal ~= '' then fields[n + 1] = F.signal; fields[n + 2] = A.signal; n = n + 2 end
  if A.result ~= '' then fields[n + 1] = F.result; fields[n + 2] = A.result; n = n + 2 end
  -- The hash itself describes a single attempt; the history (JSON, which makes the
  -- hash leave Redis' compact encoding) is kept only once there is more than one.
  if new == S.retrying or f[7] then
    fields[n + 1] = F.history
    fields[n + 2] = history_json(f[7] or nil,
      { [H.attempt] = attempt, [H.worker] = worker, [H.outcome] = outcome, [H.reason] = A.reason, [H.at] = now,
        [H.exitCode] = tonumber(A.exitCode), [H.error] = A.error ~= '' and A.error or nil })
    n = n + 2
  end
  if new == S.retrying then
    fields[n + 1] = F.ended; fields[n + 2] = nows; n = n + 2
    zadd_later(K.delayed, now + tonumber(A.backoff), id)
  else
    fields[n + 1] = F.finished; fields[n + 2] = nows; n = n + 2
    if f[10] then dels[#dels + 1] = F.ended end
    unlock(id, f[11])
  end
  redis.call('HSET', h, unpack(fields))
  if #dels > 0 then redis.call('HDEL', h, unpack(dels)) end
  move_index(id, st, new, nows)
  if A.reason ~= '' then
    event(id, new, new, EF.job, f[3], EF.attempt, A.attempt, EF.reason, A.reason)
  else
    event(id, new, new, EF.job, f[3], EF.attempt, A.attempt)
  end
  return {new}
end

local out = {}
for i = 0, tonumber(ARGV[3]) - 1 do out[i + 1] = one(i + 1, 4 + A_SIZE * i) end
return out
"""#)
}

/// The arguments of one item of `Lua.start`, in the order they are sent.
enum StartArgument: Int, ScriptArguments {
    case id, attempt
    /// The worker's id.
    case worker
    /// Lease, ms.
    case lease
    /// The job type the dispatch names ('' skips the three checks).
    case job
    /// The dispatch's parameters (JSON object).
    case params
    /// The dispatch's timeout, s.
    case timeout
}

/// The arguments of one item of `Lua.finish`, in the order they are sent.
enum FinishArgument: Int, ScriptArguments {
    case id, attempt, worker
    /// succeeded | failed | timed_out | cancelled
    case outcome
    case reason, exitCode, signal
    /// JSON.
    case result
    /// 1 when the job type allows another attempt after this failure, else 0.
    case retryable
    /// ms.
    case backoff
    /// The one-line error text.
    case error
}

/// The arguments of `Lua.renew`, before its pairs of id and attempt.
enum RenewArgument: Int, ScriptArguments {
    /// The worker's id.
    case worker
    /// Lease, ms.
    case lease
}

/// The arguments of `Lua.report`, before its output lines.
enum ReportArgument: Int, ScriptArguments {
    case id, attempt
    /// Percent; '' leaves it unchanged.
    case progress
    /// Lines kept in `log:<id>`.
    case logLines
}
