extension Lua {
    /// Creates executions and queues them, each in one step: one call carries
    /// `n` of them (the gateway groups concurrent requests), each answered on its own.
    ///
    ///     ARGV[3]  n, then n items of `CreateArgument` (offset b = 4 + A_SIZE * i)
    ///     Returns: one reply per item:
    ///              {0, id, state, created}     created: `queued`, or `scheduled` when its
    ///                                          due time (`dueAt`, or now + `delay`) is still ahead
    ///              {1, id, state, created}     duplicate of an existing execution: the idempotency
    ///                                          key's, else the active holder of the unique lock
    ///              {-2}                        queue over its limit
    ///              {-3, existing id, key, state}  the key names an execution of another request
    ///              {-4, key}                   a `schedule:<name>:<ms>` key whose fire no scheduler
    ///                                          claimed and bound to this fingerprint
    static let create = script("now_ms", "TERMINAL", "gather", "event", arguments: CreateArgument.self, body: #"""
local now, nows = now_ms()
-- The queue's length, read once per call and counted up as this call queues.
local queued
local function one(b)
  local id, job = A.id, A.job
  local idem = A.idempotencyKey
  local hash = A.requestHash
  if idem ~= '' then
    local existing = redis.call('GET', K.idempotency(idem))
    if existing then
      local st = redis.call('HMGET', K.exec(existing), F.state, F.created, F.requestHash)
      if st[1] then
        if hash ~= '' and st[3] and st[3] ~= hash then return {C.idempotencyConflict, existing, idem, st[1]} end
        return {1, existing, st[1], st[2]}
      end
    end
    -- The schedulers' key space: only the request a scheduler bound to the fire's key
    -- ('claimed:<scheduler>:<fingerprint>', written with the scheduler's own Redis access).
    local sched, ms = string.match(idem, '^schedule:(.+):(%d+)$')
    if sched or string.sub(idem, 1, 9) == 'schedule:' then
      local fire = sched and redis.call('GET', K.fire(sched, ms))
      if hash == '' or not fire or string.sub(fire, 1, 8) ~= 'claimed:' or string.sub(fire, -#hash - 1) ~= ':' .. hash then
        return {C.fireNotClaimed, idem}
      end
    end
  end
  local ukey = A.uniqueKey
  if ukey ~= '' then
    local holder = redis.call('GET', K.unique(ukey))
    if holder then
      local st = redis.call('HMGET', K.exec(holder), F.state, F.created)
      if st[1] and not TERMINAL[st[1]] then return {1, holder, st[1], st[2]} end
    end
  end
  local limit = tonumber(A.queueLimit)
  if limit > 0 then
    -- Scheduled executions count: each of them will be queued.
    if not queued then queued = redis.call('ZCARD', K.byState(S.queued)) + redis.call('ZCARD', K.byState(S.scheduled)) end
    if queued >= limit then return {C.queueFull} end
  end
  local prio = A.priority
  local due = tonumber(A.dueAt)
  if due == 0 and A.delay ~= '0' then due = now + tonumber(A.delay) end
  local st = S.queued
  if due > now then st = S.scheduled end
  local fields = { F.id, id, F.job, job, F.state, st, F.attempt, '0', F.runs, '0',
    F.priority, prio, F.maxAttempts, A.maxAttempts, F.timeout, A.timeout, F.source, A.source,
    F.created, nows, F.updated, nows }
  local n = #fields
  if st == S.queued then fields[n + 1] = F.queued; fields[n + 2] = nows; n = n + 2
  else fields[n + 1] = F.due; fields[n + 2] = due; n = n + 2 end
  local params = A.params
  if params ~= '' and params ~= '{}' then fields[n + 1] = F.params; fields[n + 2] = params; n = n + 2 end
  if A.schedule ~= '' then fields[n + 1] = F.schedule; fields[n + 2] = A.schedule; n = n + 2 end
  if A.fireTime ~= '' then fields[n + 1] = F.fireTime; fields[n + 2] = A.fireTime; n = n + 2 end
  if A.user ~= '' then fields[n + 1] = F.user; fields[n + 2] = A.user; n = n + 2 end
  if A.retryOf ~= '' then fields[n + 1] = F.retryOf; fields[n + 2] = A.retryOf; n = n + 2 end
  if idem ~= '' then fields[n + 1] = F.idempotencyKey; fields[n + 2] = idem; n = n + 2 end
  if idem ~= '' and hash ~= '' then fields[n + 1] = F.requestHash; fields[n + 2] = hash; n = n + 2 end
  if ukey ~= '' then fields[n + 1] = F.uniqueKey; fields[n + 2] = ukey; n = n + 2 end
  redis.call('HSET', K.exec(id), unpack(fields))
  if st == S.queued then rpush_later(K.queue(prio), id) else zadd_later(K.due, due, id) end
  zadd_later(K.byState(st), nows, id)
  zadd_later(K.recent, nows, id)
  zadd_later(K.byJob(job), nows, id)
  if idem ~= '' then redis.call('SET', K.idempotency(idem), id, 'EX', tonumber(A.idempotencyTTL)) end
  if ukey ~= '' then redis.call('SET', K.unique(ukey), id) end
  event(id, E.created, st, EF.job, job)
  if queued then queued = queued + 1 end
  return {0, id, st, now}
end

local out = {}
for i = 0, tonumber(ARGV[3]) - 1 do out[i + 1] = one(4 + A_SIZE * i) end
return out
"""#)
}

/// The arguments of one item of `Lua.create`, in the order they are sent.
enum CreateArgument: Int, ScriptArguments {
    case id, job
    /// JSON object.
    case params
    case priority, maxAttempts
    /// Seconds.
    case timeout
    case source, schedule, fireTime, user, retryOf
    /// '' for none.
    case idempotencyKey
    /// Seconds.
    case idempotencyTTL
    /// 0 for none.
    case queueLimit
    /// The request's fingerprint, bound to the idempotency key ('' for none).
    case requestHash
    /// When to queue it, ms since the epoch on Redis' clock; 0 for none.
    case dueAt
    /// Queue it this many ms after the create, on Redis' clock; 0 for none (`dueAt` wins).
    case delay
    /// The job type's unique lock for these parameters (`JobType.uniqueKey`); '' for none.
    case uniqueKey
}
