extension Lua {
    /// Takes the next dispatchable id, highest priority first, FIFO within a
    /// priority, and leases it. An id whose job type is not in the allowed set
    /// (no free worker slot for it) or is at its fleet-wide concurrency limit
    /// stays queued, and the scan moves past it (no head-of-line blocking).
    /// A claim looks at the first `depth` entries of each priority, dropping
    /// stale ones (trimmed, or no longer queued) on the way.
    ///
    ///     `ClaimArgument`, then pairs: job type, concurrency limit (0 = none)
    ///     Returns: {claims, queues left}: one reply per execution claimed in `claims` (none when
    ///              nothing can be dispatched now), each {id, job, attempt, params, timeout,
    ///              max_attempts, runs, priority, dispatch failures so far, ms waited in the queue};
    ///              `queues left` is how many priority queues still hold ids after a call that
    ///              claimed fewer than asked (0: nothing is queued at all), -1 after a full call
    ///
    /// One `LMPOP` over the priorities still in play finds and takes the heads
    /// of the highest non-empty queue, as many as are wanted: most claims need no
    /// `LRANGE` of empty queues and no `LREM`, and a call that claims many pops
    /// them together. Ids taken but not looked at go back to the front of their
    /// queue, in order, before the scan moves on and when the call ends. A head
    /// that cannot go now is pushed back where it was and the rest of that queue
    /// is scanned as a window. One HMGET reads everything the claim needs and
    /// answers; one HSET writes the transition.
    static let claim = script("now_ms", "move_index", "event", call: ClaimArgument.self, body: #"""
local allowed = {}
for i = A_REST, #ARGV, 2 do allowed[ARGV[i]] = tonumber(ARGV[i + 1]) end
local depth = tonumber(A.depth)
local queues = {}
for p = 9, 0, -1 do queues[#queues + 1] = K.queue(p) end

local function record(id)
  return redis.call('HMGET', K.exec(id), F.job, F.state, F.attempt, F.worker, F.params, F.timeout,
    F.maxAttempts, F.runs, F.priority, F.dispatchFailures, F.queued)
end
local function may_run(job)
  local lim = allowed[job]
  return lim ~= nil and (lim == 0 or
    tonumber(redis.call('HGET', K.jobRunning, job) or '0') + (G_count[job] or 0) < lim)
end
-- Leases an id already taken off its queue; f is its record().
local now, nows = now_ms()
local until_ = now + tonumber(A.lease)
local function lease(id, f)
  local h = K.exec(id)
  local attempt = tonumber(f[3] or '0') + 1
  redis.call('HSET', h, F.attempt, attempt, F.dispatched, nows, F.gateway, A.gateway,
    F.state, S.dispatched, F.updated, nows)
  if f[4] then redis.call('HDEL', h, F.worker) end
  move_index(id, S.queued, S.dispatched, nows)
  zadd_later(K.leases, until_, id)
  count_later(f[1], 1)
  event(id, E.dispatched, S.dispatched, EF.job, f[1], EF.attempt, attempt)
  return {id, f[1], attempt, f[5] or '', f[6], f[7], f[8], f[9], f[10] or '0', now - tonumber(f[11] or now)}
end

-- Ids the last LMPOP took off queue `bq` that were not looked at yet: buf[bi..].
local buf, bi, bq = {}, 1, nil
local function unpop()
  if bi <= #buf then
    local back = {}
    for i = #buf, bi, -1 do back[#back + 1] = buf[i] end
    redis.call('LPUSH', bq, unpack(back))
  end
  buf, bi = {}, 1
end
-- The next id of the highest non-empty queue among queues[first..]: from the
-- buffer, or up to `want` at once with LMPOP.
local function pop(first, want)
  if bi <= #buf then
    bi = bi + 1
    return bq, buf[bi - 1]
  end
  local cmd = { 'LMPOP', #queues - first + 1 }
  for i = first, #queues do cmd[#cmd + 1] = queues[i] end
  cmd[#cmd + 1] = 'LEFT'
  cmd[#cmd + 1] = 'COUNT'
  cmd[#cmd + 1] = want
  local popped = redis.call(unpack(cmd))
  if not popped then return nil end
  bq, buf, bi = popped[1], popped[2], 2
  return bq, buf[1]
end

-- One claim: the leased reply, or nil when nothing can be dispatched now.
local function claim_one(want)
  local first = 1          -- queues[first..] are still in play
  local looked = 0         -- entries of queues[first] looked at (stale ones popped)
  while first <= #queues do
    local q, id = pop(first, want)
    if not q then return nil end
    local at = first
    while queues[at] ~= q do at = at + 1 end
    if at ~= first then first = at; looked = 0 end
    looked = looked + 1
    local f = record(id)
    if (not f[1]) or f[2] ~= S.queued then
      -- A stale entry: trimmed or no longer queued. It stays dropped.
      if looked >= depth then unpop(); first = first + 1; looked = 0 end
    elseif may_run(f[1]) then
      return lease(id, f)
    else
      unpop()
      redis.call('LPUSH', q, id)
      if looked < depth then
        local ids = redis.call('LRANGE', q, 1, depth - looked)
        for _, other in ipairs(ids) do
          local g = record(other)
          if (not g[1]) or g[2] ~= S.queued then
            redis.call('LREM', q, 1, other)
          elseif may_run(g[1]) then
            redis.call('LREM', q, 1, other)
            return lease(other, g)
          end
        end
      end
      first = first + 1; looked = 0
    end
  end
  return nil
end

local out = {}
local want = tonumber(A.count)
while #out < want do
  local c = claim_one(want - #out)
  if not c then break end
  out[#out + 1] = c
end
unpop()
-- A short call tells whether anything is left queued, so that a gateway need not look
-- again at every end while nothing is (the ends of executions do not add any).
local left = -1
if #out < want then left = redis.call('EXISTS', unpack(queues)) end
return {out, left}
"""#)
}

/// The arguments of `Lua.claim`, before its pairs of job type and concurrency limit.
enum ClaimArgument: Int, ScriptArguments {
    /// The claiming gateway's id.
    case gateway
    /// Lease, ms.
    case lease
    /// Scan depth per priority.
    case depth
    /// How many to claim, at most (set per call: callers that share a call differ only in it).
    case count
}
