import BatchCore
import FoundationEssentials
import Redis

/// Reads: one execution, pages, counts, logs. None of them scans the keyspace.
extension ExecutionStore {
    /// One execution, or nil when unknown.
    public func get(_ id: String) throws(StoreError) -> ExecutionRecord? {
        guard ExecutionID.isValid(id) else { return nil }
        let reply = try mapRedis { try redis.send(RedisCommand("HGETALL", keys.exec(id))) }
        return ExecutionRecord(fields: Self.fieldMap(reply))
    }

    /// Many executions in one round trip; nil for each unknown one.
    public func getMany(_ ids: [String]) throws(StoreError) -> [ExecutionRecord?] {
        let valid = ids.filter(ExecutionID.isValid)
        let replies = try mapRedis { try redis.pipeline(valid.map { RedisCommand("HGETALL", keys.exec($0)) }) }
        var byID: [String: ExecutionRecord] = [:]
        for (id, reply) in zip(valid, replies) { byID[id] = ExecutionRecord(fields: Self.fieldMap(reply)) }
        return ids.map { byID[$0] }
    }

    /// A page of executions, newest first.
    /// - Parameter before: the cursor of a previous page (`ExecutionPage.next`); nil for the newest.
    public func list(state: ExecutionState? = nil, job: String? = nil, limit: Int = 50, before: String? = nil) throws(StoreError) -> ExecutionPage {
        let limit = max(1, min(limit, 1_000))
        let cursor = try Self.cursor(before)
        var args = ScriptItem<ListArgument>()
        args[.state] = state?.rawValue ?? ""; args[.job] = job ?? ""; args[.limit] = limit
        args[.before] = cursor.map { String($0.score) } ?? ""; args[.beforeID] = cursor?.id ?? ""
        let reply = try run(Scripts.list, args.values)
        var records: [ExecutionRecord] = []
        records.reserveCapacity(limit)
        var lastScore = ""
        let decoder = JSONDecoder()
        for entry in reply.array ?? [] {
            guard let pair = entry.array, pair.count == 2,
                  let rec = ExecutionRecord(fields: Self.fieldMap(pair[1]), decoder: decoder) else { continue }
            records.append(rec)
            lastScore = pair[0].string ?? ""
        }
        var next: String?
        if records.count == limit, let last = records.last, let s = Int64(lastScore) { next = "\(s):\(last.id)" }
        return ExecutionPage(executions: records, next: next)
    }

    /// Number of executions in each state. `dispatched` has no index of its own: it is
    /// what holds a lease and is neither running nor cancelling (the leased states).
    public func counts() throws(StoreError) -> [ExecutionState: Int] {
        let states = ExecutionState.allCases.filter { $0 != .dispatched }
        var cmds = states.map { RedisCommand("ZCARD", keys.byState($0.rawValue)) }
        cmds.append(RedisCommand("ZCARD", keys.leases))
        let replies = try mapRedis { try redis.pipeline(cmds) }
        var out: [ExecutionState: Int] = [:]
        for (s, r) in zip(states, replies) { out[s] = Int(r.int ?? 0) }
        let leased = Int(replies.last?.int ?? 0)
        out[.dispatched] = max(0, leased - (out[.running] ?? 0) - (out[.cancelling] ?? 0))
        return out
    }

    /// Ids waiting in the queues (all priorities), waiting for a retry, and waiting for their time.
    public func queueDepth() throws(StoreError) -> (queued: Int, delayed: Int, scheduled: Int) {
        var cmds = Priority.range.map { RedisCommand("LLEN", keys.queue($0)) }
        cmds.append(RedisCommand("ZCARD", keys.delayed))
        cmds.append(RedisCommand("ZCARD", keys.due))
        let r = try mapRedis { try redis.pipeline(cmds) }
        let q = r.dropLast(2).reduce(0) { $0 + Int($1.int ?? 0) }
        return (q, Int(r[r.count - 2].int ?? 0), Int(r.last?.int ?? 0))
    }

    /// Queued executions per job type, with the time the oldest of each was queued (ms since the
    /// epoch, Redis time): read from the queued index, oldest first, at most `limit` of them (so
    /// with a longer queue the counts are those of its oldest `limit`). Two round trips.
    public func queuedByJob(limit: Int = 5000) throws(StoreError) -> [String: (count: Int, oldestMillis: Int64)] {
        let r = try mapRedis { try redis.send(RedisCommand("ZRANGE", keys.byState(ExecutionState.queued.rawValue), 0, max(1, limit) - 1, "WITHSCORES")) }
        let flat = r.array ?? []
        var ids: [String] = [], times: [Int64] = []
        var i = 0
        while i + 1 < flat.count {
            if let id = flat[i].string, let t = flat[i + 1].string.flatMap({ Double($0) }) {
                ids.append(id); times.append(Int64(t))
            }
            i += 2
        }
        guard !ids.isEmpty else { return [:] }
        let jobs = try mapRedis { try redis.pipeline(ids.map { RedisCommand("HGET", keys.exec($0), "job") }) }
        var out: [String: (count: Int, oldestMillis: Int64)] = [:]
        for (reply, t) in zip(jobs, times) {
            guard let job = reply.string else { continue }  // trimmed meanwhile
            if let seen = out[job] {
                out[job] = (seen.count + 1, min(seen.oldestMillis, t))
            } else {
                out[job] = (1, t)
            }
        }
        return out
    }

    /// The last lines of an execution's output.
    public func logTail(_ id: String, lines: Int = 100) throws(StoreError) -> [String] {
        let r = try mapRedis { try redis.send(RedisCommand("LRANGE", keys.log(id), -max(1, lines), -1)) }
        return (r.array ?? []).compactMap(\.string)
    }

    /// Fleet-wide count of leased executions per job type.
    public func runningByJob() throws(StoreError) -> [String: Int] {
        let r = try mapRedis { try redis.send(RedisCommand("HGETALL", keys.jobRunning)) }
        return Self.fieldMap(r).compactMapValues { Int($0) }
    }

    /// Number of leases that are held now.
    public func leaseCount() throws(StoreError) -> Int {
        Int(try mapRedis { try redis.send(RedisCommand("ZCARD", keys.leases)) }.int ?? 0)
    }

    static func fieldMap(_ reply: RedisReply) -> [String: String] {
        guard let a = reply.array else { return [:] }
        var out: [String: String] = [:]
        out.reserveCapacity(a.count / 2)
        var i = 0
        while i + 1 < a.count {
            if let k = a[i].string, let v = a[i + 1].string { out[k] = v }
            i += 2
        }
        return out
    }
}

/// A page of executions and the cursor of the next one.
public struct ExecutionPage: Sendable {
    public var executions: [ExecutionRecord]
    /// Pass as `before` for the next page (`<score>:<id>`); nil on the last page.
    public var next: String?
}
