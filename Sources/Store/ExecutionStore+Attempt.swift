import BatchCore
import Redis

/// What a dispatch says an attempt runs; the start script compares it with the stored execution.
public struct DispatchedWork: Sendable, Equatable {
    public var job: String
    public var params: [String: String]
    public var timeoutSeconds: Int
    public init(job: String, params: [String: String], timeoutSeconds: Int) {
        self.job = job; self.params = params; self.timeoutSeconds = timeoutSeconds
    }
}

/// How an attempt ended, as its worker reports it.
public struct AttemptEnd: Sendable {
    /// `succeeded`, `failed`, `timed_out` or `cancelled`.
    public var outcome: ExecutionState
    public var reason: FailureReason?
    public var exitCode: Int?
    public var signal: Int?
    /// JSON, bounded by the caller.
    public var result: String?
    /// The job type allows another attempt after this failure.
    public var retryable: Bool
    public var backoffMillis: Int
    public var error: String?

    public init(outcome: ExecutionState, reason: FailureReason? = nil, exitCode: Int? = nil, signal: Int? = nil,
                result: String? = nil, retryable: Bool = false, backoffMillis: Int = 0, error: String? = nil) {
        self.outcome = outcome; self.reason = reason; self.exitCode = exitCode; self.signal = signal
        self.result = result; self.retryable = retryable; self.backoffMillis = backoffMillis; self.error = error
    }
}

/// What a lease renewal says about one attempt.
public enum LeaseStatus: Int, Sendable {
    /// Lost: expired, recovered, fenced or finished. Stop the child and write nothing.
    case lost = 0
    case renewed = 1
    /// Renewed, but an operator cancelled it: stop the child.
    case cancelling = 2
}

/// The answer to a start.
public enum StartResult: Sendable, Equatable {
    case running
    case alreadyRunning
    /// Started while a cancel was on its way: stop the child.
    case cancelling
}

/// An attempt, from the worker's side (start, renew, report, finish, hand back) and the gateway's (a dispatch that failed).
extension ExecutionStore {
    /// The worker started the child of this attempt. With `expected`, the start is refused
    /// (`.dispatchMismatch`) unless the stored execution has that job type, those parameters
    /// and that timeout: a worker runs what the execution says, never only what a dispatch claims.
    public func start(id: String, attempt: Int, worker: String, leaseMillis: Int,
                      expected: DispatchedWork? = nil) throws(StoreError) -> StartResult {
        let item = startArgs(id: id, attempt: attempt, worker: worker, leaseMillis: leaseMillis, expected: expected)
        return try startResult(startCalls.call(item.map(\.redisBytes)), id: id, attempt: attempt)
    }

    /// Many starts of one worker in one round trip; one result per attempt, in order.
    public func startMany(_ attempts: [(id: String, attempt: Int)], worker: String, leaseMillis: Int,
                          expected: [DispatchedWork]? = nil) throws(StoreError) -> [Result<StartResult, StoreError>] {
        let items = attempts.enumerated().map { i, a in
            startArgs(id: a.id, attempt: a.attempt, worker: worker, leaseMillis: leaseMillis, expected: expected?[i])
        }
        let replies = try callItems(Scripts.start, items, counted: startCalls)
        return zip(attempts, replies).map { a, reply in
            Result { () throws(StoreError) in try startResult(reply.get(), id: a.id, attempt: a.attempt) }
        }
    }

    private func startArgs(id: String, attempt: Int, worker: String, leaseMillis: Int, expected: DispatchedWork?) -> [any RedisArgument] {
        var a = ScriptItem<StartArgument>()
        a[.id] = id; a[.attempt] = attempt; a[.worker] = worker; a[.lease] = leaseMillis
        if let e = expected {
            a[.job] = e.job; a[.params] = Self.paramsText(e.params); a[.timeout] = e.timeoutSeconds
        } else {
            a[.timeout] = 0
        }
        return a.values
    }

    private func startResult(_ reply: RedisReply, id: String, attempt: Int) throws(StoreError) -> StartResult {
        let a = reply.array ?? []
        if a.first?.int == Refusal.dispatchMismatch.rawValue { throw .dispatchMismatch(id: id, field: a.dropFirst().first?.string ?? "?") }
        if let e = refusal(a, id: id, attempt: attempt, operation: "start") { throw e }
        switch a.first?.int {
        case 1: return .running
        case 0: return .alreadyRunning
        case 2: return .cancelling
        default: throw .unexpectedReply("start: \(reply)")
        }
    }

    /// Renews the leases of a worker's attempts, all in one call.
    public func renew(worker: String, attempts: [(id: String, attempt: Int)], leaseMillis: Int) throws(StoreError) -> [LeaseStatus] {
        if attempts.isEmpty { return [] }
        var item = ScriptItem<RenewArgument>()
        item[.worker] = worker; item[.lease] = leaseMillis
        var args = item.values
        for a in attempts { args.append(a.id); args.append(a.attempt) }
        let reply = try run(Scripts.renew, args)
        guard let a = reply.array, a.count == attempts.count else { throw .unexpectedReply("renew: \(reply)") }
        return a.map { LeaseStatus(rawValue: Int($0.int ?? 0)) ?? .lost }
    }

    /// Appends output lines and sets progress; fenced by the attempt number.
    /// - Returns: false when this is no longer the current attempt.
    @discardableResult
    public func report(id: String, attempt: Int, progress: Int? = nil, lines: [String] = []) throws(StoreError) -> Bool {
        var item = ScriptItem<ReportArgument>()
        item[.id] = id; item[.attempt] = attempt; item[.progress] = progress.map(String.init) ?? ""; item[.logLines] = limits.logLines
        var args = item.values
        args.append(contentsOf: lines as [any RedisArgument])
        return try run(Scripts.report, args).int == 1
    }

    /// Ends an attempt (see `Lua.finish`).
    @discardableResult
    public func finish(id: String, attempt: Int, worker: String, end: AttemptEnd) throws(StoreError) -> ExecutionState {
        try newState(finishCalls.call(finishArgs(id: id, attempt: attempt, worker: worker, end: end).map(\.redisBytes)),
                     id: id, attempt: attempt, operation: "finish")
    }

    /// `finish` without waiting for other callers' groups: `done` gets the new state on the
    /// thread that ran its group (keep it short). When no group is running, this call's runs
    /// on the calling thread, which may block for that round trip.
    public func finish(id: String, attempt: Int, worker: String, end: AttemptEnd,
                       done: @escaping @Sendable (Result<ExecutionState, StoreError>) -> Void) {
        finishCalls.submit(finishArgs(id: id, attempt: attempt, worker: worker, end: end).map(\.redisBytes), mayBlock: true) { [self] outcome in
            done(Result { () throws(StoreError) in try newState(outcome.get(), id: id, attempt: attempt, operation: "finish") })
        }
    }

    /// Ends many attempts of one worker in one round trip; one result per attempt, in order.
    public func finishMany(_ ends: [(id: String, attempt: Int, end: AttemptEnd)],
                           worker: String) throws(StoreError) -> [Result<ExecutionState, StoreError>] {
        let replies = try callItems(Scripts.finish, ends.map { finishArgs(id: $0.id, attempt: $0.attempt, worker: worker, end: $0.end) },
                                    counted: finishCalls)
        return zip(ends, replies).map { e, reply in
            Result { () throws(StoreError) in
                try newState(reply.get(), id: e.id, attempt: e.attempt, operation: "finish")
            }
        }
    }

    private func finishArgs(id: String, attempt: Int, worker: String, end: AttemptEnd) -> [any RedisArgument] {
        var a = ScriptItem<FinishArgument>()
        a[.id] = id; a[.attempt] = attempt; a[.worker] = worker; a[.outcome] = end.outcome.rawValue
        a[.reason] = end.reason?.rawValue ?? ""; a[.exitCode] = end.exitCode.map(String.init) ?? ""
        a[.signal] = end.signal.map(String.init) ?? ""; a[.result] = end.result ?? ""
        a[.retryable] = end.retryable ? "1" : "0"; a[.backoff] = end.backoffMillis; a[.error] = end.error ?? ""
        return a.values
    }

    /// Gives an attempt back to the front of its queue without counting it.
    @discardableResult
    public func requeue(id: String, attempt: Int, worker: String?) throws(StoreError) -> ExecutionState {
        var a = ScriptItem<RequeueArgument>()
        a[.id] = id; a[.attempt] = attempt; a[.worker] = worker ?? ""
        let reply = try run(Scripts.requeue, a.values)
        return try newState(reply, id: id, attempt: attempt, operation: "requeue")
    }

    /// Dispatch failed on every instance tried (see `Lua.dispatchFailed`).
    @discardableResult
    public func dispatchFailed(id: String, attempt: Int, exhausted: Bool, backoffMillis: Int, error: String) throws(StoreError) -> ExecutionState {
        var a = ScriptItem<DispatchFailedArgument>()
        a[.id] = id; a[.attempt] = attempt; a[.exhausted] = exhausted ? "1" : "0"; a[.backoff] = backoffMillis; a[.error] = error
        let reply = try run(Scripts.dispatchFailed, a.values)
        return try newState(reply, id: id, attempt: attempt, operation: "record a failed dispatch")
    }
}
