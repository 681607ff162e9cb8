import BatchCore
import Redis

/// What one call of `promoteDue` did.
public struct PromoteRound: Sendable, Equatable {
    /// Executions queued by this call.
    public var promoted: Int
    /// The earliest due time still waiting (ms, Redis time), nil when nothing waits.
    public var nextDueMillis: Int64?
    /// Redis' time when the call ran (ms).
    public var nowMillis: Int64
}

/// What the gateway's maintenance and a restarting worker call: due retries back to their queues,
/// expired leases and an earlier run's attempts handed back, old executions trimmed.
extension ExecutionStore {
    /// Queues due retries and scheduled executions, up to `limit` of each (see `Lua.promote`).
    public func promoteDue(limit: Int = 500) throws(StoreError) -> PromoteRound {
        var a = ScriptItem<PromoteArgument>()
        a[.limit] = limit
        let reply = try run(Scripts.promote, a.values)
        guard let r = reply.array, r.count == 3, let n = r[0].int, let next = r[1].int, let now = r[2].int else {
            throw .unexpectedReply("promote: \(reply)")
        }
        return PromoteRound(promoted: Int(n), nextDueMillis: next < 0 ? nil : next, nowMillis: now)
    }

    /// Recovers expired leases (see `Lua.recover`). - Returns: (id, new state) pairs.
    public func recoverExpired(limit: Int = 500, poisonThreshold: Int, backoffMillis: Int) throws(StoreError) -> [(id: String, state: ExecutionState)] {
        var a = ScriptItem<RecoverArgument>()
        a[.limit] = limit; a[.poison] = poisonThreshold; a[.backoff] = backoffMillis
        return Self.idStatePairs(try run(Scripts.recover, a.values))
    }

    /// Hands back every attempt an earlier run of `worker` still holds, except those in `keeping`
    /// (see `Lua.releaseWorker`). - Returns: (id, new state) pairs.
    public func releaseEarlierRun(worker: String, keeping: [(id: String, attempt: Int)], poisonThreshold: Int,
                                  backoffMillis: Int) throws(StoreError) -> [(id: String, state: ExecutionState)] {
        var item = ScriptItem<ReleaseWorkerArgument>()
        item[.worker] = worker; item[.poison] = poisonThreshold; item[.backoff] = backoffMillis
        var args = item.values
        for (id, attempt) in keeping { args.append(id); args.append(attempt) }
        return Self.idStatePairs(try run(Scripts.releaseWorker, args))
    }

    private static func idStatePairs(_ reply: RedisReply) -> [(id: String, state: ExecutionState)] {
        let a = reply.array ?? []
        var out: [(String, ExecutionState)] = []
        var i = 0
        while i + 1 < a.count {
            if let id = a[i].string, let st = a[i + 1].string.flatMap(ExecutionState.init(rawValue:)) { out.append((id, st)) }
            i += 2
        }
        return out
    }

    /// Trims retained executions, one age for every outcome (see `Lua.trim`). - Returns: how many were removed.
    public func trim(maxCount: Int, maxAgeMillis: Int64, batch: Int = 500) throws(StoreError) -> Int {
        try trim(maxCount: maxCount, ages: RetentionAges(all: maxAgeMillis), batch: batch).removed
    }
}
