import BatchCore
import FoundationEssentials
import Redis

/// A page of a search and what it took to find.
public struct SearchPage: Sendable {
    /// The matches, newest first.
    public var executions: [ExecutionRecord]
    /// Pass as `before` to go on (`<score>:<id>`, the last execution examined); nil once the index is walked to its end.
    public var next: String?
    /// Executions read and tested by this call.
    public var examined: Int
    /// The executions the walked index holds within the query's time range: what a search can examine in all.
    public var total: Int

    public init(executions: [ExecutionRecord] = [], next: String? = nil, examined: Int = 0, total: Int = 0) {
        self.executions = executions; self.next = next; self.examined = examined; self.total = total
    }
}

/// Search: narrows by an index, reads the candidates' searched fields in pipelined
/// batches, newest first, and tests them in Swift against an `ExecutionQuery`.
extension ExecutionStore {
    /// At most this many executions are examined by one call; its cursor goes on from there.
    public static let searchExamineLimit = 20_000
    /// Index entries read (and hashes tested) per round trip.
    static let searchBatch = 1_000

    /// The newest executions matching `query`, at most `limit` (1-1000) of them.
    ///
    /// The walked index is `by-state` when the query names a state (the time range then bounds
    /// when the execution entered it), else `by-job` or `recent` (the time range bounds its
    /// creation); with a state and a job and no time range, the smaller of the two. The walk
    /// stops at `limit` matches, at the end of the index, or after `examine` executions; `next`
    /// goes on from where it stopped.
    public func search(_ query: ExecutionQuery, limit: Int = 50, before: String? = nil,
                       examine: Int = searchExamineLimit) throws(StoreError) -> SearchPage {
        let limit = max(1, min(limit, 1_000)), examine = max(1, examine)
        let cursor = try Self.cursor(before)
        let index = try searchIndex(query)
        let low = query.since.map(String.init) ?? "-inf"
        var high = query.until.map(String.init) ?? "+inf"
        if let c = cursor, c.score < (query.until ?? .max) { high = String(c.score) }
        let total = Int(try mapRedis { try redis.send(RedisCommand("ZCOUNT", index, low, query.until.map(String.init) ?? "+inf")) }.int ?? 0)
        var matches: [String] = []
        var examined = 0, offset = 0
        var last: String?
        while true {
            let flat = try mapRedis {
                try redis.send(RedisCommand("ZREVRANGEBYSCORE", index, high, low, "WITHSCORES", "LIMIT", offset, Self.searchBatch))
            }.array ?? []
            offset += flat.count / 2
            var batch: [(id: String, score: Int64)] = []
            var i = 0
            while i + 1 < flat.count {
                if let id = flat[i].string, let score = flat[i + 1].string.flatMap({ Double($0) }).map({ Int64($0) }),
                   !(cursor.map { score == $0.score && id >= $0.id } ?? false) {
                    batch.append((id, score))
                }
                i += 2
            }
            let take = Array(batch.prefix(examine - examined))
            for (entry, hit) in zip(take, try test(take.map(\.id), query)) {
                examined += 1
                last = "\(entry.score):\(entry.id)"
                if hit { matches.append(entry.id) }
                if matches.count == limit || examined == examine { return try page(matches, last, examined, total) }
            }
            if flat.count < 2 * Self.searchBatch { return try page(matches, nil, examined, total) }
        }
    }

    /// Which index a query walks.
    func searchIndex(_ q: ExecutionQuery) throws(StoreError) -> String {
        let state = q.state.flatMap { $0 == .dispatched ? nil : keys.byState($0.rawValue) }
        let job = q.job.map { keys.byJob($0) }
        guard let state else { return job ?? keys.recent }
        guard let job, q.since == nil, q.until == nil else { return state }
        let sizes = try mapRedis { try redis.pipeline([RedisCommand("ZCARD", state), RedisCommand("ZCARD", job)]) }
        return (sizes[1].int ?? 0) < (sizes[0].int ?? 0) ? job : state
    }

    /// Whether each execution matches, from its searched fields (one pipelined read).
    private func test(_ ids: [String], _ query: ExecutionQuery) throws(StoreError) -> [Bool] {
        guard !ids.isEmpty else { return [] }
        let fields: [Field] = [.job, .state, .reason, .error, .worker]
        let replies = try mapRedis {
            try redis.pipeline(ids.map { RedisCommand(["HMGET", keys.exec($0)] + fields.map(\.rawValue)) })
        }
        return zip(ids, replies).map { id, reply in
            let v = (reply.array ?? []).map(\.string)
            guard v.count == fields.count, let job = v[0], let state = v[1].flatMap(ExecutionState.init(rawValue:)) else { return false }
            // As `ExecutionRecord` reads it: an attempt on its way has no reason or error yet.
            let ended = !state.isLeased || state == .cancelling
            return query.matches(.init(id: id, job: job, state: state, reason: ended ? v[2] : nil,
                                       error: ended ? v[3] : nil, worker: v[4]))
        }
    }

    private func page(_ ids: [String], _ next: String?, _ examined: Int, _ total: Int) throws(StoreError) -> SearchPage {
        SearchPage(executions: try getMany(ids).compactMap { $0 }, next: next, examined: examined, total: total)
    }

    /// A page cursor (`<score>:<id>`) read; nil for none.
    static func cursor(_ before: String?) throws(StoreError) -> (score: Int64, id: String)? {
        guard let c = before, !c.isEmpty else { return nil }
        let parts = c.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let score = Int64(parts[0]), ExecutionID.isValid(String(parts[1])) else { throw .badCursor(c) }
        return (score, String(parts[1]))
    }
}
