extension Lua {
    /// Trims retained executions, each with its log, its unique lock and every index;
    /// non-terminal executions are never trimmed. At most `batch` go per call:
    ///
    /// 1. By age: an ended execution goes once its outcome's age has passed since it ended
    ///    (the score of its `by-state` index, oldest first).
    /// 2. By count: while more than `maxCount` executions are retained (`recent`, every
    ///    state), ended ones go oldest first, from the outcome kept shortest to the one kept
    ///    longest (ties: succeeded, cancelled, timed out, failed), so the count takes
    ///    successes before it takes failures; then, should it still be over (ids without
    ///    their hash), from the oldest of `recent`.
    ///
    ///     `TrimArgument`
    ///     Returns: {removed, removed by count}
    static let trim = script("now_ms", "TERMINAL", "unlock", call: TrimArgument.self, body: #"""
local now = now_ms()
local maxCount, batch = tonumber(A.maxCount), tonumber(A.batch)
local outcomes = { {S.succeeded, tonumber(A.succeededAge), 1}, {S.cancelled, tonumber(A.cancelledAge), 2},
  {S.timedOut, tonumber(A.timedOutAge), 3}, {S.failed, tonumber(A.failedAge), 4} }
table.sort(outcomes, function(x, y) if x[2] ~= y[2] then return x[2] < y[2] end return x[3] < y[3] end)
local removed, byCount = 0, 0
local total = redis.call('ZCARD', K.recent)
-- Drops `id` when it is still an ended execution in state `st` (any ended state when nil),
-- or when its hash is gone; true when it went.
local function drop(id, st)
  local f = redis.call('HMGET', K.exec(id), F.state, F.job, F.uniqueKey)
  if not f[1] then
    if st then redis.call('ZREM', K.byState(st), id) end
  elseif (st and f[1] ~= st) or not TERMINAL[f[1]] then
    if st and f[1] ~= st then redis.call('ZREM', K.byState(st), id) end
    return false
  else
    redis.call('DEL', K.exec(id), K.log(id))
    unlock(id, f[3])
    redis.call('ZREM', K.byState(f[1]), id)
    redis.call('ZREM', K.byJob(f[2]), id)
  end
  removed = removed + 1
  total = total - redis.call('ZREM', K.recent, id)
  return true
end
for _, o in ipairs(outcomes) do
  if removed >= batch then break end
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', K.byState(o[1]), '-inf', now - o[2], 'LIMIT', 0, batch - removed)) do
    drop(id, o[1])
  end
end
for _, o in ipairs(outcomes) do
  if removed >= batch or total <= maxCount then break end
  for _, id in ipairs(redis.call('ZRANGE', K.byState(o[1]), 0, math.min(batch - removed, total - maxCount) - 1)) do
    if drop(id, o[1]) then byCount = byCount + 1 end
  end
end
if removed < batch and total > maxCount then
  for _, id in ipairs(redis.call('ZRANGE', K.recent, 0, (batch - removed) * 4 - 1)) do
    if removed >= batch or total <= maxCount then break end
    if drop(id, nil) then byCount = byCount + 1 end
  end
end
return {removed, byCount}
"""#)
}

/// The arguments of `Lua.trim`.
enum TrimArgument: Int, ScriptArguments {
    case maxCount
    /// Most removals this call.
    case batch
    /// ms since it ended, for executions that ended so.
    case succeededAge, failedAge, timedOutAge, cancelledAge
}
