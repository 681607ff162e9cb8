/// Shared Lua prelude of the execution scripts, in pieces.
///
/// Convention of every script: `ARGV[1]` is the namespace key prefix
/// (`batch:{NS}:`), `ARGV[2]` the bound of the events stream; the script's own
/// arguments start at `ARGV[3]`. Keys of one execution are derived from the
/// prefix inside the script (all keys of a namespace share one cluster slot).
/// Times come from Redis `TIME`, never from the caller.
///
/// Every `local function` and table of a prelude is built again on each call of
/// the script, so a script includes only the pieces it uses (`Lua.uses`).
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

    static let terminal = Piece(name: "TERMINAL", source: """
local TERMINAL = { succeeded = true, failed = true, timed_out = true, cancelled = true }

""", needs: [])

    static let leased = Piece(name: "LEASED", source: """
local LEASED = { dispatched = true, running = true, cancelling = true }

""", needs: [])

    /// `dispatched` has no `by-state` index: it lasts from a claim to the worker's start
    /// (milliseconds), and every dispatched execution holds a lease, so counts and pages of
    /// it come from `leases`. Sparing its index spares two writes per execution.
    static let unindexed = Piece(name: "UNINDEXED", source: """
local UNINDEXED = { dispatched = true }

""", needs: [])

    static let setState = Piece(name: "set_state", source: #"""
local function set_state(id, old, new, now)
  if old and not UNINDEXED[old] then redis.call('ZREM', P .. 'by-state:' .. old, id) end
  if not UNINDEXED[new] then redis.call('ZADD', P .. 'by-state:' .. new, now, id) end
  redis.call('HSET', P .. 'exec:' .. id, 'state', new, 'updated', now)
end

"""#, needs: ["UNINDEXED"])

    /// Moves an id between the by-state indexes only; the caller writes
    /// `state` and `updated` into the hash with its own fields, in one HSET.
    static let moveIndex = Piece(name: "move_index", source: #"""
local function move_index(id, old, new, now)
  if not UNINDEXED[old] then redis.call('ZREM', P .. 'by-state:' .. old, id) end
  if not UNINDEXED[new] then redis.call('ZADD', P .. 'by-state:' .. new, now, id) end
end

"""#, needs: ["UNINDEXED"])

    static let event = Piece(name: "event", source: #"""
local function event(id, kind, state, ...)
  redis.call('XADD', P .. 'events', 'MAXLEN', '~', EVMAX, '*', 'type', kind, 'id', id, 'state', state, ...)
end

"""#, needs: [])

    static let release = Piece(name: "release", source: #"""
-- Leaving a leased state: drop the lease and the job type's fleet-wide count.
local function release(id, job)
  redis.call('ZREM', P .. 'leases', id)
  local n = redis.call('HINCRBY', P .. 'job-running', job, -1)
  if n <= 0 then redis.call('HDEL', P .. 'job-running', job) end
end

"""#, needs: [])

    static let leaseValid = Piece(name: "lease_valid", source: #"""
-- The lease of an id is valid while its expiry is in the future.
local function lease_valid(id, now)
  local s = redis.call('ZSCORE', P .. 'leases', id)
  return s and tonumber(s) > now
end

"""#, needs: [])

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
  local h = P .. 'exec:' .. id
  redis.call('HSET', h, 'history', history_json(redis.call('HGET', h, 'history') or nil, entry))
end

"""#, needs: ["history_json"])

    static let finishTerminal = Piece(name: "finish_terminal", source: #"""
local function finish_terminal(id, old, new, now)
  set_state(id, old, new, now)
  redis.call('HSET', P .. 'exec:' .. id, 'finished', now)
end

"""#, needs: ["set_state"])

    static let pieces: [Piece] = [nowMs, terminal, leased, unindexed, setState, moveIndex, event, release, leaseValid,
                                  historyJSON, history, finishTerminal]

    /// The base prelude and the named pieces with what they need, in the
    /// order of `pieces` (a piece comes after those it needs).
    static func uses(_ names: String...) -> String {
        var wanted = Set<String>()
        func want(_ name: String) {
            guard let piece = pieces.first(where: { $0.name == name }) else {
                preconditionFailure("Lua prelude has no piece '\(name)'")
            }
            if wanted.insert(name).inserted { piece.needs.forEach(want) }
        }
        names.forEach(want)
        return base + pieces.filter { wanted.contains($0.name) }.map(\.source).joined()
    }
}
