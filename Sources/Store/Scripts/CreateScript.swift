extension Lua {
    /// Creates an execution and queues it, in one step.
    ///
    ///     ARGV[3]  id            ARGV[4]  job          ARGV[5]  params (JSON)
    ///     ARGV[6]  priority      ARGV[7]  max attempts ARGV[8]  timeout (s)
    ///     ARGV[9]  source        ARGV[10] schedule     ARGV[11] fire time
    ///     ARGV[12] user          ARGV[13] retry of     ARGV[14] idempotency key ('' none)
    ///     ARGV[15] idempotency TTL (s)                 ARGV[16] queue limit (0 none)
    ///     Returns: {0, id, 'queued', created}  created
    ///              {1, id, state, created}     duplicate of an existing execution
    ///              {-2}                        queue over its limit
    static let create = uses("now_ms", "event") + #"""
local id, job = ARGV[3], ARGV[4]
local idem = ARGV[14]
if idem ~= '' then
  local existing = redis.call('GET', P .. 'idem:' .. idem)
  if existing then
    local st = redis.call('HMGET', P .. 'exec:' .. existing, 'state', 'created')
    if st[1] then return {1, existing, st[1], st[2]} end
  end
end
local limit = tonumber(ARGV[16])
if limit > 0 and redis.call('ZCARD', P .. 'by-state:queued') >= limit then return {-2} end
local now = now_ms()
local h = P .. 'exec:' .. id
local fields = { 'id', id, 'job', job, 'state', 'queued', 'attempt', 0, 'runs', 0,
  'priority', ARGV[6], 'max_attempts', ARGV[7], 'timeout', ARGV[8], 'source', ARGV[9],
  'created', now, 'updated', now, 'queued', now }
local n = #fields
if ARGV[5] ~= '' and ARGV[5] ~= '{}' then fields[n + 1] = 'params'; fields[n + 2] = ARGV[5]; n = n + 2 end
if ARGV[10] ~= '' then fields[n + 1] = 'schedule'; fields[n + 2] = ARGV[10]; n = n + 2 end
if ARGV[11] ~= '' then fields[n + 1] = 'fire_time'; fields[n + 2] = ARGV[11]; n = n + 2 end
if ARGV[12] ~= '' then fields[n + 1] = 'user'; fields[n + 2] = ARGV[12]; n = n + 2 end
if ARGV[13] ~= '' then fields[n + 1] = 'retry_of'; fields[n + 2] = ARGV[13]; n = n + 2 end
if idem ~= '' then fields[n + 1] = 'idem'; fields[n + 2] = idem; n = n + 2 end
redis.call('HSET', h, unpack(fields))
redis.call('RPUSH', P .. 'queue:' .. ARGV[6], id)
redis.call('ZADD', P .. 'by-state:queued', now, id)
redis.call('ZADD', P .. 'recent', now, id)
redis.call('ZADD', P .. 'by-job:' .. job, now, id)
if idem ~= '' then redis.call('SET', P .. 'idem:' .. idem, id, 'EX', tonumber(ARGV[15])) end
event(id, 'created', 'queued', 'job', job)
return {0, id, 'queued', now}
"""#
}
