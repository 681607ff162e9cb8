import BatchCore
import FoundationEssentials
import Redis

/// Settings of the store that scripts need.
public struct StoreLimits: Sendable {
    /// Bound of the `events` and `audit` streams (approximate trimming).
    public var eventsMax: Int = 100_000
    /// Lines kept per execution in `log:<id>`.
    public var logLines: Int = 1_000
    /// How deep a claim looks into each priority queue for a dispatchable id.
    public var claimScanDepth: Int = 64
    public init() {}
}

/// A new execution to create.
public struct NewExecution: Sendable {
    public var id: String
    public var job: String
    /// Validated parameters.
    public var params: [String: String]
    public var priority: Int
    public var maxAttempts: Int
    public var timeoutSeconds: Int
    public var trigger: Trigger
    public var idempotencyKey: String?

    public init(id: String = ExecutionID.make(), job: String, params: [String: String], priority: Int = Priority.default,
                maxAttempts: Int = 1, timeoutSeconds: Int = 3600, trigger: Trigger = Trigger(source: "api"),
                idempotencyKey: String? = nil) {
        self.id = id; self.job = job; self.params = params; self.priority = priority; self.maxAttempts = maxAttempts
        self.timeoutSeconds = timeoutSeconds; self.trigger = trigger; self.idempotencyKey = idempotencyKey
    }
}

/// The answer to a create.
public struct CreateResult: Sendable, Equatable {
    public var id: String
    public var state: ExecutionState
    public var duplicate: Bool
    public var created: Int64
}

/// An execution taken off the queue by a dispatcher, leased to it.
public struct ClaimedExecution: Sendable, Equatable {
    public var id: String
    public var job: String
    public var attempt: Int
    public var params: [String: String]
    public var timeoutSeconds: Int
    public var maxAttempts: Int
    public var runs: Int
    public var priority: Int
    /// Dispatches of this execution that failed before this one.
    public var dispatchFailures: Int
    /// Time it waited in the queue before this claim, ms (Redis time).
    public var queueWaitMillis: Int64
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

/// The answer to a cancel.
public struct CancelResult: Sendable, Equatable {
    public var changed: Bool
    public var state: ExecutionState
    /// The worker holding the attempt, to be told at once.
    public var worker: String?
}

/// Every execution operation of DESIGN.md §3–§5, each one Lua script.
public final class ExecutionStore: Sendable {
    public let redis: RedisClient
    public let keys: Keys
    public let limits: StoreLimits

    public init(redis: RedisClient, namespace: String, limits: StoreLimits = .init()) {
        self.redis = redis
        self.keys = Keys(namespace: namespace)
        self.limits = limits
    }

    func run(_ script: RedisScript, _ args: [any RedisArgument]) throws(StoreError) -> RedisReply {
        let all: [any RedisArgument] = [keys.prefix, limits.eventsMax] + args
        let reply = try mapRedis { try redis.eval(script, keys: [], args: all) }
        if case .error(let e) = reply { throw .redis(.server(e)) }
        return reply
    }

    /// Maps the common negative codes of the scripts to errors.
    func refusal(_ reply: [RedisReply], id: String, attempt: Int, operation: String) -> StoreError? {
        guard let code = reply.first?.int, code < 0 else { return nil }
        switch code {
        case -404: return .notFound(id)
        case -409: return .staleAttempt(id: id, attempt: attempt, current: Int(reply.dropFirst().first?.int ?? -1))
        case -410: return .leaseLost(id: id, attempt: attempt)
        case -1: return .wrongState(id: id, state: reply.dropFirst().first?.string ?? "?", operation: operation)
        default: return .unexpectedReply("\(operation): code \(code)")
        }
    }

    // MARK: creating and claiming

    /// Writes the execution, queues it and appends its event, in one step; or
    /// answers the existing execution for a known idempotency key.
    public func create(_ new: NewExecution, queueLimit: Int, idempotencyTTLSeconds: Int = 86_400) throws(StoreError) -> CreateResult {
        let params = FlatJSON.encode(new.params)
            ?? String(decoding: (try? JSONEncoder.sorted.encode(new.params)) ?? Data("{}".utf8), as: UTF8.self)
        let t = new.trigger
        let reply = try run(Scripts.create, [
            new.id, new.job, params, new.priority, new.maxAttempts, new.timeoutSeconds,
            t.source, t.schedule ?? "", t.fireTime ?? "", t.user ?? "", t.retryOf ?? "",
            new.idempotencyKey ?? "", idempotencyTTLSeconds, queueLimit,
        ])
        guard let a = reply.array, let code = a.first?.int else { throw .unexpectedReply("create: \(reply)") }
        if code == -2 { throw .queueFull(limit: queueLimit) }
        guard a.count >= 4, let id = a[1].string, let st = a[2].string.flatMap(ExecutionState.init(rawValue:)) else {
            throw .unexpectedReply("create: \(reply)")
        }
        return CreateResult(id: id, state: st, duplicate: code == 1, created: a[3].int ?? 0)
    }

    /// Takes the next dispatchable execution and leases it to this gateway.
    /// - Parameter allowed: job types that have a free worker slot now, with
    ///   their fleet-wide concurrency limit (0 = none).
    public func claim(allowed: [String: Int], leaseMillis: Int, gateway: String) throws(StoreError) -> ClaimedExecution? {
        if allowed.isEmpty { return nil }
        var args: [any RedisArgument] = [gateway, leaseMillis, limits.claimScanDepth]
        for (job, limit) in allowed.sorted(by: { $0.key < $1.key }) { args.append(job); args.append(limit) }
        let reply = try run(Scripts.claim, args)
        guard let a = reply.array else { throw .unexpectedReply("claim: \(reply)") }
        if a.isEmpty { return nil }
        guard a.count >= 10, let id = a[0].string, let job = a[1].string else { throw .unexpectedReply("claim: \(reply)") }
        var params: [String: String] = [:]
        if let p = a[3].string, !p.isEmpty {
            if let fast = FlatJSON.decode(p) {
                params = fast
            } else if let d = p.data(using: .utf8) {
                params = (try? JSONDecoder().decode([String: String].self, from: d)) ?? [:]
            }
        }
        return ClaimedExecution(id: id, job: job, attempt: Int(a[2].int ?? 0), params: params,
                                timeoutSeconds: Int(a[4].int ?? 0), maxAttempts: Int(a[5].int ?? 1),
                                runs: Int(a[6].int ?? 0), priority: Int(a[7].int ?? Int64(Priority.default)),
                                dispatchFailures: Int(a[8].int ?? 0), queueWaitMillis: a[9].int ?? 0)
    }

    // MARK: the worker's side

    /// The worker started the child of this attempt.
    public func start(id: String, attempt: Int, worker: String, leaseMillis: Int) throws(StoreError) -> StartResult {
        let reply = try run(Scripts.start, [id, attempt, worker, leaseMillis])
        let a = reply.array ?? []
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
        var args: [any RedisArgument] = [worker, leaseMillis]
        for a in attempts { args.append(a.id); args.append(a.attempt) }
        let reply = try run(Scripts.renew, args)
        guard let a = reply.array, a.count == attempts.count else { throw .unexpectedReply("renew: \(reply)") }
        return a.map { LeaseStatus(rawValue: Int($0.int ?? 0)) ?? .lost }
    }

    /// Appends output lines and sets progress; fenced by the attempt number.
    /// - Returns: false when this is no longer the current attempt.
    @discardableResult
    public func report(id: String, attempt: Int, progress: Int? = nil, lines: [String] = []) throws(StoreError) -> Bool {
        var args: [any RedisArgument] = [id, attempt, progress.map(String.init) ?? "", limits.logLines]
        args.append(contentsOf: lines as [any RedisArgument])
        return try run(Scripts.report, args).int == 1
    }

    /// Ends an attempt (see `Lua.finish`).
    @discardableResult
    public func finish(id: String, attempt: Int, worker: String, end: AttemptEnd) throws(StoreError) -> ExecutionState {
        let reply = try run(Scripts.finish, [
            id, attempt, worker, end.outcome.rawValue, end.reason?.rawValue ?? "",
            end.exitCode.map(String.init) ?? "", end.signal.map(String.init) ?? "", end.result ?? "",
            end.retryable ? "1" : "0", end.backoffMillis, end.error ?? "",
        ])
        return try newState(reply, id: id, attempt: attempt, operation: "finish")
    }

    /// Gives an attempt back to the front of its queue without counting it.
    @discardableResult
    public func requeue(id: String, attempt: Int, worker: String?) throws(StoreError) -> ExecutionState {
        let reply = try run(Scripts.requeue, [id, attempt, worker ?? ""])
        return try newState(reply, id: id, attempt: attempt, operation: "requeue")
    }

    // MARK: the gateway's side

    /// Dispatch failed on every instance tried (see `Lua.dispatchFailed`).
    @discardableResult
    public func dispatchFailed(id: String, attempt: Int, exhausted: Bool, backoffMillis: Int, error: String) throws(StoreError) -> ExecutionState {
        let reply = try run(Scripts.dispatchFailed, [id, attempt, exhausted ? "1" : "0", backoffMillis, error])
        return try newState(reply, id: id, attempt: attempt, operation: "record a failed dispatch")
    }

    /// Moves due retries back to their queues. - Returns: how many.
    public func promoteDue(limit: Int = 500) throws(StoreError) -> Int {
        Int(try run(Scripts.promote, [limit]).int ?? 0)
    }

    /// Recovers expired leases (see `Lua.recover`). - Returns: (id, new state) pairs.
    public func recoverExpired(limit: Int = 500, poisonThreshold: Int, backoffMillis: Int) throws(StoreError) -> [(id: String, state: ExecutionState)] {
        let reply = try run(Scripts.recover, [limit, poisonThreshold, backoffMillis])
        let a = reply.array ?? []
        var out: [(String, ExecutionState)] = []
        var i = 0
        while i + 1 < a.count {
            if let id = a[i].string, let st = a[i + 1].string.flatMap(ExecutionState.init(rawValue:)) { out.append((id, st)) }
            i += 2
        }
        return out
    }

    /// Cancels (see `Lua.cancel`).
    public func cancel(id: String, user: String, source: String) throws(StoreError) -> CancelResult {
        let reply = try run(Scripts.cancel, [id, user, source])
        let a = reply.array ?? []
        if a.first?.int == -404 { throw .notFound(id) }
        guard a.count >= 3, let st = a[1].string.flatMap(ExecutionState.init(rawValue:)) else {
            throw .unexpectedReply("cancel: \(reply)")
        }
        let w = a[2].string ?? ""
        return CancelResult(changed: a[0].int == 1, state: st, worker: w.isEmpty ? nil : w)
    }

    /// Trims retained executions (see `Lua.trim`). - Returns: how many were removed.
    public func trim(maxCount: Int, maxAgeMillis: Int64, batch: Int = 500) throws(StoreError) -> Int {
        Int(try run(Scripts.trim, [maxCount, maxAgeMillis, batch]).int ?? 0)
    }

    func newState(_ reply: RedisReply, id: String, attempt: Int, operation: String) throws(StoreError) -> ExecutionState {
        let a = reply.array ?? []
        if let e = refusal(a, id: id, attempt: attempt, operation: operation) { throw e }
        guard let s = a.first?.string, let st = ExecutionState(rawValue: s) else { throw .unexpectedReply("\(operation): \(reply)") }
        return st
    }
}

extension JSONEncoder {
    /// An encoder with sorted keys, so stored bytes are stable.
    static var sorted: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }
}
