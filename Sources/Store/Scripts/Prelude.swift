/// Shared Lua prelude of every execution script.
///
/// Convention of every script: `ARGV[1]` is the namespace key prefix
/// (`batch:{NS}:`), `ARGV[2]` the bound of the events stream; the script's own
/// arguments start at `ARGV[3]`. Keys of one execution are derived from the
/// prefix inside the script (all keys of a namespace share one cluster slot).
/// Times come from Redis `TIME`, never from the caller.
enum Lua {
    static let prelude = #"""
local P = ARGV[1]
local EVMAX = tonumber(ARGV[2])
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local TERMINAL = { succeeded = true, failed = true, timed_out = true, cancelled = true }
local LEASED = { dispatched = true, running = true, cancelling = true }
local function set_state(id, old, new, now)
  if old then redis.call('ZREM', P .. 'by-state:' .. old, id) end
  redis.call('ZADD', P .. 'by-state:' .. new, now, id)
  redis.call('HSET', P .. 'exec:' .. id, 'state', new, 'updated', now)
end
local function event(id, kind, state, ...)
  redis.call('XADD', P .. 'events', 'MAXLEN', '~', EVMAX, '*', 'type', kind, 'id', id, 'state', state, ...)
end
-- Leaving a leased state: drop the lease and the job type's fleet-wide count.
local function release(id, job)
  redis.call('ZREM', P .. 'leases', id)
  local n = redis.call('HINCRBY', P .. 'job-running', job, -1)
  if n <= 0 then redis.call('HDEL', P .. 'job-running', job) end
end
-- The lease of an id is valid while its expiry is in the future.
local function lease_valid(id, now)
  local s = redis.call('ZSCORE', P .. 'leases', id)
  return s and tonumber(s) > now
end
local function history(id, entry)
  local h = P .. 'exec:' .. id
  local raw = redis.call('HGET', h, 'history')
  local list = {}
  if raw then list = cjson.decode(raw) end
  list[#list + 1] = entry
  while #list > 20 do table.remove(list, 1) end
  redis.call('HSET', h, 'history', cjson.encode(list))
end
local function finish_terminal(id, old, new, now)
  set_state(id, old, new, now)
  redis.call('HSET', P .. 'exec:' .. id, 'finished', now)
end

"""#
}
