import BatchCore
import Platform

/// How long ended executions are kept, by outcome, in ms since they ended.
public struct RetentionAges: Sendable, Hashable {
    public var succeeded: Int64
    public var failed: Int64
    public var timedOut: Int64
    public var cancelled: Int64

    public init(succeeded: Int64, failed: Int64, timedOut: Int64, cancelled: Int64) {
        self.succeeded = succeeded; self.failed = failed; self.timedOut = timedOut; self.cancelled = cancelled
    }

    public init(all ms: Int64) { self.init(succeeded: ms, failed: ms, timedOut: ms, cancelled: ms) }

    /// The ages `[retention]` sets.
    public init(_ r: RetentionSettings) {
        self.init(succeeded: r.age(of: .succeeded).inMilliseconds, failed: r.age(of: .failed).inMilliseconds,
                  timedOut: r.age(of: .timedOut).inMilliseconds, cancelled: r.age(of: .cancelled).inMilliseconds)
    }
}

/// What one trim call removed.
public struct TrimRound: Sendable, Equatable {
    public var removed: Int
    /// Of those, how many went because more than the count bound were retained, before their age.
    public var byCount: Int
}

extension ExecutionStore {
    /// Trims retained executions: past their outcome's age, then over `maxCount` (see `Lua.trim`).
    public func trim(maxCount: Int, ages: RetentionAges, batch: Int = 500) throws(StoreError) -> TrimRound {
        var a = ScriptItem<TrimArgument>()
        a[.maxCount] = maxCount; a[.batch] = batch
        a[.succeededAge] = ages.succeeded; a[.failedAge] = ages.failed
        a[.timedOutAge] = ages.timedOut; a[.cancelledAge] = ages.cancelled
        let r = try run(Scripts.trim, a.values).array ?? []
        return TrimRound(removed: Int(r.first?.int ?? 0), byCount: Int(r.count > 1 ? r[1].int ?? 0 : 0))
    }
}
