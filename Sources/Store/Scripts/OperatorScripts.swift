extension Lua {
    /// Cancels an execution in any non-terminal state. Scheduled, queued and retrying ones
    /// end `cancelled` at once; dispatched and running ones become `cancelling`
    /// and their worker stops the child. Cancelling a terminal execution changes
    /// nothing. Every call is written to the audit stream.
    ///
    ///     `CancelArgument`
    ///     Returns: {changed (1/0), state, worker or ''} or {-404}
    static let cancel = script("now_ms", "TERMINAL", "set_state", "finish_terminal", "event", call: CancelArgument.self, body: #"""
local id = A.id
local h = K.exec(id)
local f = redis.call('HMGET', h, F.state, F.priority, F.worker, F.job)
local st = f[1]
if not st then return {C.notFound} end
local now = now_ms()
redis.call('XADD', K.audit, 'MAXLEN', '~', EVMAX, '*', EF.action, 'cancel', EF.id, id,
  EF.user, A.user, EF.source, A.source, EF.state, st)
if TERMINAL[st] or st == S.cancelling then return {0, st, f[3] or ''} end
local new
if st == S.queued then
  redis.call('LREM', K.queue(f[2]), 1, id)
  new = S.cancelled
elseif st == S.retrying then
  redis.call('ZREM', K.delayed, id)
  new = S.cancelled
elseif st == S.scheduled then
  redis.call('ZREM', K.due, id)
  new = S.cancelled
else
  new = S.cancelling
end
redis.call('HSET', h, F.cancelledBy, A.user)
if new == S.cancelled then finish_terminal(id, st, new, now) else set_state(id, st, new, now) end
event(id, new, new, EF.job, f[4], EF.user, A.user)
return {1, new, f[3] or ''}
"""#)

    /// A page of executions, newest first, by state and/or job type.
    ///
    ///     `ListArgument`
    ///     Returns: a list of {score, flat field/value list}, one per execution
    ///
    /// `dispatched` has no index (see `Lua.unindexed`): its page is made from the
    /// executions holding a lease, sorted by last change like an index would be.
    static let list = script(call: ListArgument.self, body: #"""
local state, job, before, beforeID, limit = A.state, A.job, A.before, A.beforeID, tonumber(A.limit)
if state == S.dispatched then
  local rows = {}
  for _, id in ipairs(redis.call('ZRANGE', K.leases, 0, -1)) do
    local f = redis.call('HMGET', K.exec(id), F.state, F.updated, F.job)
    if f[1] == S.dispatched and (job == '' or f[3] == job) then
      local score = tonumber(f[2]) or 0
      local b = tonumber(before)
      if (not b) or score < b or (score == b and id < beforeID) then rows[#rows + 1] = { id, score, f[2] or '0' } end
    end
  end
  table.sort(rows, function(x, y) if x[2] ~= y[2] then return x[2] > y[2] end return x[1] > y[1] end)
  local out = {}
  for i = 1, math.min(limit, #rows) do
    local rec = redis.call('HGETALL', K.exec(rows[i][1]))
    if #rec > 0 then out[#out + 1] = { rows[i][3], rec } end
  end
  return out
end
local idx, other
if state ~= '' then idx = K.byState(state); if job ~= '' then other = job end
elseif job ~= '' then idx = K.byJob(job)
else idx = K.recent end
local max = '+inf'
if before ~= '' then max = before end
local out = {}
local offset = 0
local chunk = limit + 1
if other then chunk = limit * 4 end
for round = 1, 25 do
  local entries = redis.call('ZREVRANGEBYSCORE', idx, max, '-inf', 'WITHSCORES', 'LIMIT', offset, chunk)
  if #entries == 0 then break end
  for i = 1, #entries, 2 do
    local id, score = entries[i], entries[i + 1]
    local seen = before ~= '' and score == before and id >= beforeID
    if not seen then
      local h = K.exec(id)
      if (not other) or redis.call('HGET', h, F.job) == other then
        local rec = redis.call('HGETALL', h)
        if #rec > 0 then out[#out + 1] = { score, rec } end
        if #out >= limit then return out end
      end
    end
  end
  offset = offset + #entries / 2
end
return out
"""#)
}

/// The arguments of `Lua.cancel`.
enum CancelArgument: Int, ScriptArguments {
    case id, user
    /// batchctl, batchtop, api, ...
    case source
}

/// The arguments of `Lua.list`.
enum ListArgument: Int, ScriptArguments {
    /// '' for any.
    case state
    /// '' for any.
    case job
    /// The cursor's score; '' for the newest.
    case before
    /// The cursor's id: entries at the cursor score sort by id, descending, and those not
    /// below this id were on earlier pages.
    case beforeID
    case limit
}
