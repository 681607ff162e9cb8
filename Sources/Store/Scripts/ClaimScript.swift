extension Lua {
    /// Takes the next dispatchable id, highest priority first, FIFO within a
    /// priority, and leases it. An id whose job type is not in the allowed set
    /// (no free worker slot for it) or is at its fleet-wide concurrency limit
    /// stays queued, and the scan moves past it (no head-of-line blocking).
    /// A claim looks at the first `depth` entries of each priority, dropping
    /// stale ones (trimmed, or no longer queued) on the way.
    ///
    /// A job type with a rate (`JobRate`) also needs a token of its bucket (`rate:<job>`, refilled
    /// on Redis' clock) for each lease; one it has none for stays queued like one at its
    /// concurrency limit, and is noted in `rate-limited`. The call is atomic, so every gateway
    /// draws on the same bucket.
    ///
    ///     `ClaimArgument`, then per job type a `ClaimJobArgument` tuple
    ///     Returns: {claims, queues left, rate wait}: one reply per execution claimed in `claims` (none
    ///              when nothing can be dispatched now), each {id, job, attempt, params, timeout,
    ///              max_attempts, runs, priority, dispatch failures so far, ms waited in the queue};
    ///              `queues left` is how many priority queues still hold ids after a call that
    ///              claimed fewer than asked (0: nothing is queued at all), -1 after a full call;
    ///              `rate wait` is the ms until the next token of a job type whose work this call
    ///              left queued for want of one (the soonest), -1 when none was
    ///
    /// One `LMPOP` over the priorities still in play finds and takes the heads
    /// of the highest non-empty queue, as many as are wanted: most claims need no
    /// `LRANGE` of empty queues and no `LREM`, and a call that claims many pops
    /// them together. Ids taken but not looked at go back to the front of their
    /// queue, in order, before the scan moves on and when the call ends. A head
    /// that cannot go now is pushed back where it was and the rest of that queue
    /// is scanned as a window. One HMGET reads everything the claim needs and
    /// answers; one HSET writes the transition.
    static let claim = script("now_ms", "move_index", "event", call: ClaimArgument.self, body: tuples(ClaimJobArgument.self, in: #"""
local allowed, rates = {}, {}
for i = A_REST, #ARGV, J_SIZE do
  local j = { unpack(ARGV, i, i + J_SIZE - 1) }
  allowed[j[J.job]] = tonumber(j[J.concurrency])
  local n, period = tonumber(j[J.rateCount]), tonumber(j[J.ratePeriod])
  if n > 0 and period > 0 then
    rates[j[J.job]] = { n = n, period = period, burst = math.max(1, tonumber(j[J.rateBurst])) }
  end
end
local depth = tonumber(A.depth)
local queues = {}
for p = 9, 0, -1 do queues[#queues + 1] = K.queue(p) end

local function record(id)
  return redis.call('HMGET', K.exec(id), F.job, F.state, F.attempt, F.worker, F.params, F.timeout,
    F.maxAttempts, F.runs, F.priority, F.dispatchFailures, F.queued)
end
local now, nows = now_ms()
-- The rate buckets this call read: tokens now, and ms per token; job types left for want of one.
local buckets, limited, rate_wait = {}, {}, -1
local function bucket(job)
  local b = buckets[job]
  if b then return b end
  local r = rates[job]
  b = { tokens = r.burst, every = r.period / r.n }
  local f = redis.call('HMGET', K.rate(job), RF.tokens, RF.at)
  if f[1] and f[2] then
    b.tokens = math.min(r.burst, tonumber(f[1]) + math.max(0, now - tonumber(f[2])) / b.every)
  end
  buckets[job] = b
  return b
end
local function may_run(job)
  local lim = allowed[job]
  if lim == nil or (lim > 0 and
      tonumber(redis.call('HGET', K.jobRunning, job) or '0') + (G_count[job] or 0) >= lim) then
    return false
  end
  if not rates[job] then return true end
  local b = bucket(job)
  if b.tokens >= 1 then return true end
  limited[job] = true
  local wait = math.ceil((1 - b.tokens) * b.every)
  if rate_wait < 0 or wait < rate_wait then rate_wait = wait end
  return false
end
-- Leases an id already taken off its queue; f is its record().
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
  local b = buckets[f[1]]
  if b then b.tokens = b.tokens - 1; b.used = true end
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
-- Only a bucket a lease drew on is written: one only read still refills from what it holds.
-- A bucket left alone refills: once it would be full it is the same as none, and may go.
for job, b in pairs(buckets) do
  if b.used then
    local r, key = rates[job], K.rate(job)
    redis.call('HSET', key, RF.tokens, b.tokens, RF.at, nows, RF.count, r.n, RF.period, r.period, RF.burst, r.burst)
    redis.call('PEXPIRE', key, math.ceil((r.burst - b.tokens) * b.every) + 60000)
  end
end
if next(limited) then
  local l = {}
  for job in pairs(limited) do l[#l + 1] = job; l[#l + 1] = nows end
  redis.call('HSET', K.rateLimited, unpack(l))
end
return {out, left, rate_wait}
"""#))
}

/// The arguments of `Lua.claim`, before its `ClaimJobArgument` tuples.
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

/// One job type a claim may lease, after the `ClaimArgument`s: one tuple per job type.
enum ClaimJobArgument: Int, ScriptArguments {
    case job
    /// Fleet-wide concurrency limit; 0: none.
    case concurrency
    /// The rate: leases per period (0: no rate), the period in ms, and the burst.
    case rateCount, ratePeriod, rateBurst
}

extension Lua {
    /// `body` with `J.<case>` replaced by the case's place (from 1) in a tuple of `T`, and
    /// `J_SIZE` by a tuple's length.
    static func tuples<T: ScriptArguments>(_ type: T.Type, in body: String) -> String {
        let names = T.allCases.map { String(describing: $0) }
        return substitute(in: body) { marker, name in
            guard marker == "J" else { return nil }
            guard let i = names.firstIndex(of: name) else { preconditionFailure("Lua names J.\(name), which \(T.self) does not declare") }
            return String(i + 1)
        }.replacing("J_SIZE", with: String(names.count))
    }
}
