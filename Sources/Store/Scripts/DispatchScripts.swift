extension Lua {
    /// A dispatch failed on every instance tried: the attempt never started.
    /// Back to `delayed` with a backoff, or `failed: dispatch_exhausted`.
    ///
    ///     `DispatchFailedArgument`
    ///     Returns: {new state} or {-404} {-409, current} {-1, state}
    static let dispatchFailed = script("now_ms", "release", "history", "set_state", "finish_terminal", "event", call: DispatchFailedArgument.self, body: #"""
local id, attempt = A.id, tonumber(A.attempt)
local h = K.exec(id)
local f = redis.call('HMGET', h, F.state, F.attempt, F.job)
if not f[1] then return {C.notFound} end
if tonumber(f[2]) ~= attempt then return {C.staleAttempt, tonumber(f[2])} end
local st = f[1]
if st ~= S.dispatched and st ~= S.cancelling then return {C.wrongState, st} end
local now = now_ms()
release(id, f[3])
redis.call('HINCRBY', h, F.dispatchFailures, 1)
if A.error ~= '' then redis.call('HSET', h, F.error, A.error) end
history(id, { [H.attempt] = attempt, [H.outcome] = 'dispatch_failed', [H.reason] = A.error, [H.at] = now })
local new
if st == S.cancelling then
  new = S.cancelled; finish_terminal(id, st, new, now)
elseif A.exhausted == '1' then
  new = S.failed
  redis.call('HSET', h, F.reason, R.dispatchExhausted)
  finish_terminal(id, st, new, now)
else
  new = S.retrying
  redis.call('ZADD', K.delayed, now + tonumber(A.backoff), id)
  set_state(id, st, new, now)
end
event(id, new, new, EF.job, f[3], EF.attempt, attempt, EF.reason, 'dispatch_failed')
return {new}
"""#)

    /// Gives an attempt back to the front of its queue without counting it:
    /// every worker refused it (full), or a draining worker handed it back.
    ///
    ///     `RequeueArgument`
    ///     Returns: {new state} or {-404} {-409, current} {-1, state} {-410}
    static let requeue = script("now_ms", "LEASED", "release", "set_state", "finish_terminal", "event", call: RequeueArgument.self, body: #"""
local id, attempt = A.id, tonumber(A.attempt)
local h = K.exec(id)
local f = redis.call('HMGET', h, F.state, F.attempt, F.job, F.priority, F.worker)
if not f[1] then return {C.notFound} end
if tonumber(f[2]) ~= attempt then return {C.staleAttempt, tonumber(f[2])} end
local st = f[1]
if not LEASED[st] then return {C.wrongState, st} end
if A.worker ~= '' and f[5] and f[5] ~= A.worker then return {C.leaseLost} end
local now = now_ms()
release(id, f[3])
if st == S.cancelling then
  finish_terminal(id, st, S.cancelled, now)
  event(id, E.cancelled, S.cancelled, EF.job, f[3], EF.attempt, attempt)
  return {S.cancelled}
end
if st == S.running then redis.call('HINCRBY', h, F.runs, -1) end
redis.call('HDEL', h, F.worker)
redis.call('LPUSH', K.queue(f[4]), id)
set_state(id, st, S.queued, now)
redis.call('HSET', h, F.queued, now)
event(id, E.requeued, S.queued, EF.job, f[3], EF.attempt, attempt)
return {S.queued}
"""#)

    /// Queues what has come due: retries whose backoff is over (`delayed`) and scheduled
    /// executions whose time has come (`due`), up to `limit` of each. Every gateway calls it;
    /// each id is taken out of its set and queued once, by whichever call gets it first.
    ///
    ///     `PromoteArgument`
    ///     Returns: {number queued, the earliest due time still waiting in either set (ms) or -1, now (ms)}
    static let promote = script("now_ms", "set_state", "event", call: PromoteArgument.self, body: #"""
local now = now_ms()
local n = 0
local function promote(set, from)
  local ids = redis.call('ZRANGEBYSCORE', set, '-inf', now, 'LIMIT', 0, tonumber(A.limit))
  for _, id in ipairs(ids) do
    redis.call('ZREM', set, id)
    local h = K.exec(id)
    local f = redis.call('HMGET', h, F.state, F.priority, F.job)
    if f[1] == from then
      redis.call('RPUSH', K.queue(f[2]), id)
      set_state(id, from, S.queued, now)
      redis.call('HSET', h, F.queued, now)
      event(id, E.queued, S.queued, EF.job, f[3])
      n = n + 1
    end
  end
end
promote(K.delayed, S.retrying)
promote(K.due, S.scheduled)
local next = -1
for _, set in ipairs({K.delayed, K.due}) do
  local first = redis.call('ZRANGE', set, 0, 0, 'WITHSCORES')
  if first[2] then
    local at = tonumber(first[2])
    if next < 0 or at < next then next = at end
  end
end
return {n, next, now}
"""#)

    /// Recovers expired leases: the worker (or the gateway that claimed) is gone.
    /// Each goes through `lose_attempt` (see `Lua.loseAttempt`).
    ///
    ///     `RecoverArgument`
    ///     Returns: flat list of id, new state
    static let recover = script("now_ms", "lose_attempt", call: RecoverArgument.self, body: #"""
local now = now_ms()
local ids = redis.call('ZRANGEBYSCORE', K.leases, '-inf', now, 'LIMIT', 0, tonumber(A.limit))
local out = {}
for _, id in ipairs(ids) do
  local h = K.exec(id)
  local f = redis.call('HMGET', h, F.state, F.job, F.runs, F.maxAttempts, F.lost, F.attempt, F.worker)
  if not f[1] or not LEASED[f[1]] then
    redis.call('ZREM', K.leases, id)
  else
    out[#out + 1] = id
    out[#out + 1] = lose_attempt(id, f, now, tonumber(A.poison), tonumber(A.backoff), 'lease_expired')
  end
end
return out
"""#)

    /// A worker starting under an id hands back, at once, every attempt an earlier run of that
    /// id still holds (it died, and its children with it): each goes through `lose_attempt`,
    /// as if its lease had expired. Attempts this run holds already are named and kept.
    ///
    ///     `ReleaseWorkerArgument`, then pairs: id, attempt held by this run (kept)
    ///     Returns: flat list of id, new state
    static let releaseWorker = script("now_ms", "lose_attempt", call: ReleaseWorkerArgument.self, body: #"""
local now = now_ms()
local keep = {}
for i = A_REST, #ARGV, 2 do keep[ARGV[i]] = tonumber(ARGV[i + 1]) end
local ids = redis.call('ZRANGE', K.leases, 0, -1)
local out = {}
for _, id in ipairs(ids) do
  local f = redis.call('HMGET', K.exec(id), F.state, F.job, F.runs, F.maxAttempts, F.lost, F.attempt, F.worker)
  if f[1] and LEASED[f[1]] and f[7] == A.worker and keep[id] ~= tonumber(f[6]) then
    out[#out + 1] = id
    out[#out + 1] = lose_attempt(id, f, now, tonumber(A.poison), tonumber(A.backoff), 'worker_restarted')
  end
end
return out
"""#)
}

/// The arguments of `Lua.dispatchFailed`.
enum DispatchFailedArgument: Int, ScriptArguments {
    case id, attempt
    /// 1 when no attempt is left (the execution fails `dispatch_exhausted`), else 0.
    case exhausted
    /// ms.
    case backoff
    /// The error text.
    case error
}

/// The arguments of `Lua.requeue`.
enum RequeueArgument: Int, ScriptArguments {
    case id, attempt
    /// The worker giving it back; '' when the gateway does.
    case worker
}

/// The arguments of `Lua.promote`.
enum PromoteArgument: Int, ScriptArguments {
    /// Most ids this call.
    case limit
}

/// The arguments of `Lua.recover`.
enum RecoverArgument: Int, ScriptArguments {
    /// Most ids this call.
    case limit
    /// Lost started attempts after which a job fails as `poison`.
    case poison
    /// ms.
    case backoff
}

/// The arguments of `Lua.releaseWorker`, before its pairs of id and attempt kept.
enum ReleaseWorkerArgument: Int, ScriptArguments {
    /// The worker's id.
    case worker
    /// As `RecoverArgument.poison`.
    case poison
    /// ms.
    case backoff
}
