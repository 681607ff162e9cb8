import BatchCore

/// Shared Lua prelude of the execution scripts, in pieces.
///
/// Convention of every script: `ARGV[1]` is the namespace key prefix
/// (`batch:{NS}:`), `ARGV[2]` the bound of the events stream; the script's own
/// arguments start at `ARGV[3]`. Keys of one execution are derived from the
/// prefix inside the script (all keys of a namespace share one cluster slot),
/// through the generated `K` table (`Lua.keyTable`): no script spells a key.
/// Times come from Redis `TIME`, never from the caller.
///
/// Every `local function` and table of a prelude is built again on each call of
/// the script, so a script includes only the pieces it uses (`Lua.script`).
///
/// Writes to keys that many executions share (the `by-state`, `recent` and
/// `by-job` indexes, `leases`, the queues, `job-running`) are gathered while a
/// script runs and made after its body returns, one command per key: a call that
/// moves 30 executions writes each index once, not 30 times. Inside a call each
/// item reads only its own hash (and lease, read for all items at the start), so
/// nothing it reads is waiting among the gathered writes; claim's concurrency
/// check adds the counts still to be written (`G_count`).
enum Lua {
    /// A piece of the prelude; `needs` are included before it.
    struct Piece: Hashable {
        let name: String
        let source: String
        let needs: [String]
    }

    static let base = #"""
local P = ARGV[1]
-- Text, as it goes to XADD (a Lua number would be formatted again on every call).
local EVMAX = ARGV[2]

"""#

    static let nowMs = Piece(name: "now_ms", source: #"""
-- Redis time in ms: as a number, and as text built from TIME's own digits (a
-- number passed to redis.call is formatted with printf's slow floating-point path).
local function now_ms()
  local t = redis.call('TIME')
  local us = t[2]
  if #us < 6 then us = string.rep('0', 6 - #us) .. us end
  local s = t[1] .. string.sub(us, 1, 3)
  return tonumber(s), s
end

"""#, needs: [])

    /// `ExecutionState.isTerminal`, as a set.
    static let terminal = Piece(name: "TERMINAL", source: "local TERMINAL = " + set(ExecutionState.allCases.filter(\.isTerminal)) + "\n\n",
                                needs: [])

    /// `ExecutionState.isLeased`, as a set.
    static let leased = Piece(name: "LEASED", source: "local LEASED = " + set(ExecutionState.allCases.filter(\.isLeased)) + "\n\n",
                              needs: [])

    /// `dispatched` has no `by-state` index: it lasts from a claim to the worker's start
    /// (milliseconds), and every dispatched execution holds a lease, so counts and pages of
    /// it come from `leases`. Sparing its index spares two writes per execution.
    static let unindexed = Piece(name: "UNINDEXED", source: """
local UNINDEXED = { [S.dispatched] = true }

""", needs: [])

    /// Gathered writes (see the type's comment); `write_gathered` runs after
    /// the body of every script that includes this piece (`Lua.script`).
    static let gather = Piece(name: "gather", source: #"""
local G_zadd, G_zrem, G_rpush, G_count = {}, {}, {}, {}
local function gathered(t, key)
  local l = t[key]
  if not l then l = {}; t[key] = l end
  return l
end
local function zadd_later(key, score, member)
  local l = gathered(G_zadd, key)
  l[#l + 1] = score
  l[#l + 1] = member
end
local function zrem_later(key, member) local l = gathered(G_zrem, key); l[#l + 1] = member end
local function rpush_later(key, member) local l = gathered(G_rpush, key); l[#l + 1] = member end
-- A change of a job type's fleet-wide running count.
local function count_later(job, by) G_count[job] = (G_count[job] or 0) + by end
-- redis.call(cmd, key, list...) in slices that unpack can take (an even size keeps
-- score/member pairs whole); the replies of the slices, joined.
local function call_slices(cmd, key, list)
  local out = {}
  for i = 1, #list, 4000 do
    local r = redis.call(cmd, key, unpack(list, i, math.min(i + 3999, #list)))
    if type(r) == 'table' then for j = 1, #r do out[#out + 1] = r[j] end end
  end
  return out
end
local function write_gathered()
  for key, l in pairs(G_zrem) do call_slices('ZREM', key, l) end
  for key, l in pairs(G_zadd) do call_slices('ZADD', key, l) end
  for key, l in pairs(G_rpush) do call_slices('RPUSH', key, l) end
  for job, by in pairs(G_count) do
    if by ~= 0 then
      local n = redis.call('HINCRBY', K.jobRunning, job, by)
      if n <= 0 then redis.call('HDEL', K.jobRunning, job) end
    end
  end
end

"""#, needs: [])

    static let setState = Piece(name: "set_state", source: #"""
local function set_state(id, old, new, now)
  if old and not UNINDEXED[old] then zrem_later(K.byState(old), id) end
  if not UNINDEXED[new] then zadd_later(K.byState(new), now, id) end
  redis.call('HSET', K.exec(id), F.state, new, F.updated, now)
end

"""#, needs: ["UNINDEXED", "gather"])

    /// Moves an id between the by-state indexes only; the caller writes
    /// `state` and `updated` into the hash with its own fields, in one HSET.
    static let moveIndex = Piece(name: "move_index", source: #"""
local function move_index(id, old, new, now)
  if not UNINDEXED[old] then zrem_later(K.byState(old), id) end
  if not UNINDEXED[new] then zadd_later(K.byState(new), now, id) end
end

"""#, needs: ["UNINDEXED", "gather"])

    static let event = Piece(name: "event", source: #"""
local function event(id, kind, state, ...)
  redis.call('XADD', K.events, 'MAXLEN', '~', EVMAX, '*', EF.type, kind, EF.id, id, EF.state, state, ...)
end

"""#, needs: [])

    static let release = Piece(name: "release", source: #"""
-- Leaving a leased state: drop the lease and the job type's fleet-wide count.
local function release(id, job)
  zrem_later(K.leases, id)
  count_later(job, -1)
end

"""#, needs: ["gather"])

    static let leaseValid = Piece(name: "lease_valid", source: #"""
-- The lease of an id is valid while its expiry is in the future.
local function lease_valid(id, now)
  local s = redis.call('ZSCORE', K.leases, id)
  return s and tonumber(s) > now
end

"""#, needs: [])

    /// The leases of the ids of a many-item call, read in one `ZMSCORE`.
    static let leaseExpiries = Piece(name: "lease_expiries", source: #"""
-- ARGV[first], ARGV[first + step], ... for n items: their lease expiries
-- (a number, or false for an id that holds none), by item number from 1.
local function lease_expiries(first, step, n)
  local ids = {}
  for i = 0, n - 1 do ids[i + 1] = ARGV[first + step * i] end
  local r = call_slices('ZMSCORE', K.leases, ids)
  local out = {}
  for i = 1, n do out[i] = r[i] and tonumber(r[i]) or false end
  return out
end

"""#, needs: ["gather"])

    /// `history_json(raw, entry)`: the history list (`raw` as stored, or nil)
    /// with `entry` appended, bounded, encoded; the caller stores it.
    static let historyJSON = Piece(name: "history_json", source: #"""
local function history_json(raw, entry)
  local list = {}
  if raw then list = cjson.decode(raw) end
  list[#list + 1] = entry
  while #list > 20 do table.remove(list, 1) end
  return cjson.encode(list)
end

"""#, needs: [])

    static let history = Piece(name: "history", source: #"""
local function history(id, entry)
  local h = K.exec(id)
  redis.call('HSET', h, F.history, history_json(redis.call('HGET', h, F.history) or nil, entry))
end

"""#, needs: ["history_json"])

    static let finishTerminal = Piece(name: "finish_terminal", source: #"""
local function finish_terminal(id, old, new, now)
  set_state(id, old, new, now)
  local h = K.exec(id)
  redis.call('HSET', h, F.finished, now)
  unlock(id, redis.call('HGET', h, F.uniqueKey))
end

"""#, needs: ["set_state", "unlock"])

    /// The lost-attempt path: the attempt's worker (or the gateway that claimed it) is gone.
    /// A started attempt counts as lost; a job whose attempts were lost `poison` times fails
    /// as `poison`; otherwise it is retried while attempts are left, and fails as
    /// `worker_lost` when none are. An attempt that never started is retried without
    /// counting. A cancelling execution ends `cancelled`.
    /// `f` is HMGET state, job, runs, max_attempts, lost, attempt, worker; returns the new state.
    static let loseAttempt = Piece(name: "lose_attempt", source: #"""
local function lose_attempt(id, f, now, poison, backoff, outcome)
  local h = K.exec(id)
  local st = f[1]
  release(id, f[2])
  local new, reason = S.retrying, R.workerLost
  if st == S.cancelling then
    new = S.cancelled
  elseif st == S.running then
    local lost = redis.call('HINCRBY', h, F.lost, 1)
    if lost >= poison then new, reason = S.failed, R.poison
    elseif tonumber(f[3]) >= tonumber(f[4]) then new = S.failed end
  end
  history(id, { [H.attempt] = tonumber(f[6]), [H.worker] = f[7], [H.outcome] = outcome, [H.reason] = reason, [H.at] = now })
  if new == S.retrying then
    redis.call('ZADD', K.delayed, now + backoff, id)
    set_state(id, st, new, now)
  else
    if new == S.failed then redis.call('HSET', h, F.reason, reason) end
    finish_terminal(id, st, new, now)
  end
  event(id, new, new, EF.job, f[2], EF.reason, reason, EF.attempt, f[6] or '0')
  return new
end

"""#, needs: ["LEASED", "release", "history", "set_state", "finish_terminal", "event"])

    static let pieces: [Piece] = [nowMs, terminal, leased, unindexed, gather, setState, moveIndex, event, release,
                                  leaseValid, leaseExpiries, historyJSON, history, unlock, finishTerminal, loseAttempt]

    /// A script: the base prelude, the named pieces with what they need (in the
    /// order of `pieces`, a piece after those it needs), then `body`. When a piece
    /// gathers writes, the body runs as a function and the gathered writes are
    /// made after it returns, whichever `return` it took.
    static func script(_ names: String..., body: String) -> String {
        build(names, body: body)
    }

    /// A script of many items whose arguments `A` declares (see `ScriptArguments`).
    static func script<A: ScriptArguments>(_ names: String..., arguments: A.Type, body: String) -> String {
        build(names, body: Lua.arguments(A.self, in: body))
    }

    /// A script of one call whose arguments `A` declares (see `ScriptArguments`).
    static func script<A: ScriptArguments>(_ names: String..., call: A.Type, body: String) -> String {
        build(names, body: Lua.callArguments(A.self, in: body))
    }

    private static func build(_ names: [String], body: String) -> String {
        var wanted = Set<String>()
        func want(_ name: String) {
            guard let piece = pieces.first(where: { $0.name == name }) else {
                preconditionFailure("Lua prelude has no piece '\(name)'")
            }
            if wanted.insert(name).inserted { piece.needs.forEach(want) }
        }
        names.forEach(want)
        let code = pieces.filter { wanted.contains($0.name) }.map(\.source).joined()
            + (wanted.contains(gather.name)
                ? "local function main()\n" + body + "\nend\nlocal out = main()\nwrite_gathered()\nreturn out\n"
                : body)
        let named = constants(in: code)
        return base + keyTable(for: named) + named
    }
}
