extension Lua {
    /// Takes the next dispatchable id, highest priority first, FIFO within a
    /// priority, and leases it. An id whose job type is not in the allowed set
    /// (no free worker slot for it) or is at its fleet-wide concurrency limit
    /// stays queued, and the scan moves past it (no head-of-line blocking).
    ///
    ///     ARGV[3] gateway id   ARGV[4] lease (ms)   ARGV[5] scan depth per priority
    ///     ARGV[6..] pairs: job type, concurrency limit (0 = none)
    ///     Returns: {id, job, attempt, params, timeout, max_attempts, runs, priority,
    ///               dispatch failures so far, ms waited in the queue}
    ///              or {} when nothing can be dispatched now
    ///
    /// One HMGET reads everything the claim needs and answers, and one HSET
    /// writes the whole transition.
    static let claim = uses("now_ms", "move_index", "event") + #"""
local allowed = {}
for i = 6, #ARGV, 2 do allowed[ARGV[i]] = tonumber(ARGV[i + 1]) end
local depth = tonumber(ARGV[5])
for p = 9, 0, -1 do
  local q = P .. 'queue:' .. p
  local ids = redis.call('LRANGE', q, 0, depth - 1)
  for _, id in ipairs(ids) do
    local h = P .. 'exec:' .. id
    local f = redis.call('HMGET', h, 'job', 'state', 'attempt', 'worker', 'params', 'timeout',
      'max_attempts', 'runs', 'priority', 'dispatch_failures', 'queued')
    local job, st = f[1], f[2]
    if (not job) or st ~= 'queued' then
      redis.call('LREM', q, 1, id)            -- stale entry: trimmed or no longer queued
    else
      local lim = allowed[job]
      if lim ~= nil and (lim == 0 or tonumber(redis.call('HGET', P .. 'job-running', job) or '0') < lim) then
        redis.call('LREM', q, 1, id)
        local now = now_ms()
        local attempt = tonumber(f[3] or '0') + 1
        redis.call('HSET', h, 'attempt', attempt, 'dispatched', now, 'gateway', ARGV[3],
          'state', 'dispatched', 'updated', now)
        if f[4] then redis.call('HDEL', h, 'worker') end
        move_index(id, 'queued', 'dispatched', now)
        redis.call('ZADD', P .. 'leases', now + tonumber(ARGV[4]), id)
        redis.call('HINCRBY', P .. 'job-running', job, 1)
        event(id, 'dispatched', 'dispatched', 'job', job, 'attempt', attempt)
        return {id, job, attempt, f[5] or '', f[6], f[7], f[8], f[9], f[10] or '0', now - tonumber(f[11] or now)}
      end
    end
  end
end
return {}
"""#
}
