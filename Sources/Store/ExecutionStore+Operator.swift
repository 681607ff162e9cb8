import BatchCore
import Redis

/// The answer to a cancel.
public struct CancelResult: Sendable, Equatable {
    public var changed: Bool
    public var state: ExecutionState
    /// The worker holding the attempt, to be told at once.
    public var worker: String?
}

extension ExecutionStore {
    /// Cancels (see `Lua.cancel`).
    public func cancel(id: String, user: String, source: String) throws(StoreError) -> CancelResult {
        var args = ScriptItem<CancelArgument>()
        args[.id] = id; args[.user] = user; args[.source] = source
        let reply = try run(Scripts.cancel, args.values)
        let a = reply.array ?? []
        if a.first?.int == Refusal.notFound.rawValue { throw .notFound(id) }
        guard a.count >= 3, let st = a[1].string.flatMap(ExecutionState.init(rawValue:)) else {
            throw .unexpectedReply("cancel: \(reply)")
        }
        let w = a[2].string ?? ""
        return CancelResult(changed: a[0].int == 1, state: st, worker: w.isEmpty ? nil : w)
    }
}
