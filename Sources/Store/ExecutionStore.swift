import BatchCore
import FoundationEssentials
import Redis
import Synchronization

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
    /// The request's fingerprint (`BatchExecutionRequest.fingerprint`), bound to the
    /// idempotency key: the same key with another fingerprint is refused. A key in the
    /// schedulers' space (`schedule:<name>:<epoch-ms>`) is taken only with the fingerprint a
    /// scheduler bound to that fire's key (`ScheduleStore.bindFire`).
    public var requestHash: String?
    /// When to queue it: at once, or `scheduled` until its time (on Redis' clock).
    public var runLater: RunLater

    public init(id: String = ExecutionID.make(), job: String, params: [String: String], priority: Int = Priority.default,
                maxAttempts: Int = 1, timeoutSeconds: Int = 3600, trigger: Trigger = Trigger(source: "api"),
                idempotencyKey: String? = nil, requestHash: String? = nil, runLater: RunLater = .now) {
        self.id = id; self.job = job; self.params = params; self.priority = priority; self.maxAttempts = maxAttempts
        self.timeoutSeconds = timeoutSeconds; self.trigger = trigger; self.idempotencyKey = idempotencyKey
        self.requestHash = requestHash; self.runLater = runLater
    }
}

/// What a dispatch says an attempt runs; the start script compares it with the stored execution.
public struct DispatchedWork: Sendable, Equatable {
    public var job: String
    public var params: [String: String]
    public var timeoutSeconds: Int
    public init(job: String, params: [String: String], timeoutSeconds: Int) {
        self.job = job; self.params = params; self.timeoutSeconds = timeoutSeconds
    }
}

/// The answer to a create.
public struct CreateResult: Sendable, Equatable {
    public var id: String
    public var state: ExecutionState
    public var duplicate: Bool
    public var created: Int64
}

/// What one call of `promoteDue` did.
public struct PromoteRound: Sendable, Equatable {
    /// Executions queued by this call.
    public var promoted: Int
    /// The earliest due time still waiting (ms, Redis time), nil when nothing waits.
    public var nextDueMillis: Int64?
    /// Redis' time when the call ran (ms).
    public var nowMillis: Int64
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

/// What one claim call took, and whether it left the queues empty.
public struct ClaimRound: Sendable, Equatable {
    public var claimed: [ClaimedExecution]
    /// Nothing at all is queued after this call (it claimed fewer than asked and every priority
    /// queue is empty): until something is queued again, an end frees a slot for nothing.
    public var queueEmpty: Bool
    /// Work of a job type with a rate was left queued for want of a token: the next one comes this
    /// many ms from now (the soonest of them). Nothing else wakes a dispatcher for it.
    public var rateWaitMillis: Int64? = nil
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

    /// The hot path (create, claim, start, finish): calls made concurrently by many threads
    /// go to Redis in groups, one script call for a whole group (see `GroupCommit`).
    let createCalls: GroupCommit<[[UInt8]], RedisReply>
    let claimCalls: GroupCommit<[[UInt8]], RedisReply>
    let startCalls: GroupCommit<[[UInt8]], RedisReply>
    let finishCalls: GroupCommit<[[UInt8]], RedisReply>
    /// The first two arguments of every script: key prefix, events bound.
    let head: [[UInt8]]

    public init(redis: RedisClient, namespace: String, limits: StoreLimits = .init()) {
        self.redis = redis
        self.keys = Keys(namespace: namespace)
        self.limits = limits
        let head = [keys.prefix.redisBytes, limits.eventsMax.redisBytes]
        self.head = head
        createCalls = GroupCommit { items throws(StoreError) in try Self.callItems(redis, Scripts.create, head: head, items) }
        startCalls = GroupCommit { items throws(StoreError) in try Self.callItems(redis, Scripts.start, head: head, items) }
        finishCalls = GroupCommit { items throws(StoreError) in try Self.callItems(redis, Scripts.finish, head: head, items) }
        claimCalls = GroupCommit { items throws(StoreError) in try Self.callClaims(redis, head: head, items) }
    }

    /// Calls of the grouped operations and the round trips that carried them, by operation.
    public var groupedCalls: [(operation: String, calls: Int, roundTrips: Int)] {
        [("create", createCalls), ("claim", claimCalls), ("start", startCalls), ("finish", finishCalls)].map { name, g in
            (name, g.items.load(ordering: .relaxed), g.groups.load(ordering: .relaxed))
        }
    }

    func run(_ script: RedisScript, _ args: [any RedisArgument]) throws(StoreError) -> RedisReply {
        let all = head + args.map(\.redisBytes)
        let reply = try mapRedis { try redis.evalMany(script, argLists: [all]) }.first ?? .null
        return try Self.checked(reply).get()
    }

    /// One call of a script that takes `n` items (`ARGV[3] = n`, then the items' arguments
    /// one after the other) and answers one reply per item.
    static func callItems(_ redis: RedisClient, _ script: RedisScript, head: [[UInt8]],
                          _ items: [[[UInt8]]]) throws(StoreError) -> [Result<RedisReply, StoreError>] {
        try callItems(redis, script, head: head, chunks: [items])
    }

    /// Several calls of `script`, one per chunk of items, pipelined in one round trip: Redis runs
    /// each call whole (so no chunk holds it long) and answers them in order.
    static func callItems(_ redis: RedisClient, _ script: RedisScript, head: [[UInt8]],
                          chunks: [[[[UInt8]]]]) throws(StoreError) -> [Result<RedisReply, StoreError>] {
        let chunks = chunks.filter { !$0.isEmpty }
        if chunks.isEmpty { return [] }
        let argLists = chunks.map { items -> [[UInt8]] in
            var args = head
            args.append(Array(String(items.count).utf8))
            for item in items { args += item }
            return args
        }
        let replies = try mapRedis { try redis.evalMany(script, argLists: argLists) }
        guard replies.count == chunks.count else { throw .unexpectedReply("\(chunks.count) calls answered with \(replies.count) replies") }
        var out: [Result<RedisReply, StoreError>] = []
        for (items, reply) in zip(chunks, replies) {
            if case .error(let e) = reply { throw .redis(RedisError(reply: e)) }
            guard let each = reply.array, each.count == items.count else {
                throw .unexpectedReply("\(items.count) items answered with \(reply)")
            }
            out += each.map(Self.checked)
        }
        return out
    }

    /// Claims for a group of callers: one claim each. Callers asking with the same allowed
    /// job types (the usual case: one gateway's dispatcher threads) share one script call.
    static func callClaims(_ redis: RedisClient, head: [[UInt8]], _ items: [[[UInt8]]]) throws(StoreError) -> [Result<RedisReply, StoreError>] {
        if let first = items.first, items.allSatisfy({ $0 == first }) {
            let round = try claimRound(redis, head: head, first, count: items.count)
            let none = Result<RedisReply, StoreError>.success(.array([]))
            return items.indices.map { $0 < round.claims.count ? .success(round.claims[$0]) : none }
        }
        let replies = try mapRedis { try redis.evalMany(Scripts.claim, argLists: items.map { claimCallArgs(head, $0, count: 1) }) }
        return replies.map { reply in
            if case .error(let e) = reply { return .failure(.redis(RedisError(reply: e))) }
            return .success(reply.array?.first?.array?.first ?? .array([]))
        }
    }

    /// `item` (from `claimArgs`, its count left empty) with the count of this call.
    private static func claimCallArgs(_ head: [[UInt8]], _ item: [[UInt8]], count: Int) -> [[UInt8]] {
        var item = item
        item[ClaimArgument.count.rawValue] = Array(String(count).utf8)
        return head + item
    }

    /// One claim script call for up to `count` executions: the claims' replies, and how many
    /// priority queues still hold ids (-1: not looked at, the call claimed all it asked for).
    static func claimRound(_ redis: RedisClient, head: [[UInt8]], _ item: [[UInt8]],
                           count: Int) throws(StoreError) -> (claims: [RedisReply], queuesLeft: Int, rateWait: Int64) {
        let reply = try mapRedis { try redis.evalMany(Scripts.claim, argLists: [claimCallArgs(head, item, count: count)]) }.first ?? .null
        if case .error(let e) = reply { throw .redis(RedisError(reply: e)) }
        guard let parts = reply.array, parts.count == 3, let claims = parts[0].array, claims.count <= count,
              let left = parts[1].int, let wait = parts[2].int else { throw .unexpectedReply("claim: \(reply)") }
        return (claims, Int(left), wait)
    }

    /// `callItems` for a caller's own list, in calls of at most 256 items.
    /// Many items of a grouped operation in one round trip: script calls of at most 256 items
    /// each, pipelined; counted with that operation's groups.
    func callItems(_ script: RedisScript, _ items: [[any RedisArgument]],
                   counted calls: GroupCommit<[[UInt8]], RedisReply>) throws(StoreError) -> [Result<RedisReply, StoreError>] {
        if items.isEmpty { return [] }
        let chunks = stride(from: 0, to: items.count, by: 256).map { i in
            items[i..<min(i + 256, items.count)].map { $0.map(\.redisBytes) }
        }
        let out = try Self.callItems(redis, script, head: head, chunks: chunks)
        calls.countDirect(items.count)
        return out
    }

    /// A reply as an outcome: an error reply fails as a thrown Redis error would.
    static func checked(_ reply: RedisReply) -> Result<RedisReply, StoreError> {
        if case .error(let e) = reply { return .failure(.redis(RedisError(reply: e))) }
        return .success(reply)
    }

    /// Maps the common negative codes of the scripts to errors.
    func refusal(_ reply: [RedisReply], id: String, attempt: Int, operation: String) -> StoreError? {
        guard let code = reply.first?.int, code < 0 else { return nil }
        switch Refusal(rawValue: code) {
        case .notFound: return .notFound(id)
        case .staleAttempt: return .staleAttempt(id: id, attempt: attempt, current: Int(reply.dropFirst().first?.int ?? -1))
        case .leaseLost: return .leaseLost(id: id, attempt: attempt)
        case .wrongState: return .wrongState(id: id, state: reply.dropFirst().first?.string ?? "?", operation: operation)
        default: return .unexpectedReply("\(operation): code \(code)")
        }
    }

    // MARK: creating and claiming

    /// Writes the execution, queues it and appends its event, in one step; or
    /// answers the existing execution for a known idempotency key.
    public func create(_ new: NewExecution, queueLimit: Int, idempotencyTTLSeconds: Int = 86_400) throws(StoreError) -> CreateResult {
        try createResult(createCalls.call(createArgs(new, queueLimit: queueLimit, idempotencyTTLSeconds: idempotencyTTLSeconds).map(\.redisBytes)),
                         queueLimit: queueLimit)
    }

    /// `create` without blocking: `done` gets the result on the thread that ran its group
    /// (keep it short). For callers that must not block, such as an HTTP event loop.
    public func create(_ new: NewExecution, queueLimit: Int, idempotencyTTLSeconds: Int = 86_400,
                       done: @escaping @Sendable (Result<CreateResult, StoreError>) -> Void) {
        let args = createArgs(new, queueLimit: queueLimit, idempotencyTTLSeconds: idempotencyTTLSeconds).map(\.redisBytes)
        createCalls.submit(args) { [self] outcome in
            done(Result { () throws(StoreError) in try createResult(outcome.get(), queueLimit: queueLimit) })
        }
    }

    /// Creates many executions in one round trip; one result per execution, in order.
    /// Each is created (or refused) exactly as `create` would.
    public func createMany(_ news: [NewExecution], queueLimit: Int,
                           idempotencyTTLSeconds: Int = 86_400) throws(StoreError) -> [Result<CreateResult, StoreError>] {
        let replies = try callItems(Scripts.create, news.map { createArgs($0, queueLimit: queueLimit, idempotencyTTLSeconds: idempotencyTTLSeconds) },
                                    counted: createCalls)
        return replies.map { reply in Result { () throws(StoreError) in try createResult(reply.get(), queueLimit: queueLimit) } }
    }

    func createArgs(_ new: NewExecution, queueLimit: Int, idempotencyTTLSeconds: Int) -> [any RedisArgument] {
        let t = new.trigger
        var a = ScriptItem<CreateArgument>()
        a[.id] = new.id; a[.job] = new.job; a[.params] = Self.paramsText(new.params)
        a[.priority] = new.priority; a[.maxAttempts] = new.maxAttempts; a[.timeout] = new.timeoutSeconds
        a[.source] = t.source; a[.schedule] = t.schedule ?? ""; a[.fireTime] = t.fireTime ?? ""
        a[.user] = t.user ?? ""; a[.retryOf] = t.retryOf ?? ""
        a[.idempotencyKey] = new.idempotencyKey ?? ""; a[.idempotencyTTL] = idempotencyTTLSeconds
        a[.queueLimit] = queueLimit; a[.requestHash] = new.requestHash ?? ""
        switch new.runLater {
        case .now: a[.dueAt] = 0; a[.delay] = 0
        case .at(let ms): a[.dueAt] = ms; a[.delay] = 0
        case .after(let ms): a[.dueAt] = 0; a[.delay] = ms
        }
        return a.values
    }

    private func createResult(_ reply: RedisReply, queueLimit: Int) throws(StoreError) -> CreateResult {
        guard let a = reply.array, let code = a.first?.int else { throw .unexpectedReply("create: \(reply)") }
        let refusal = Refusal(rawValue: code)
        if refusal == .queueFull { throw .queueFull(limit: queueLimit) }
        if refusal == .idempotencyConflict {
            throw .idempotencyConflict(key: a.count > 2 ? a[2].string ?? "" : "", existing: a.count > 1 ? a[1].string ?? "" : "",
                                       state: a.count > 3 ? a[3].string ?? "" : "")
        }
        if refusal == .fireNotClaimed { throw .fireNotClaimed(key: a.count > 1 ? a[1].string ?? "" : "") }
        guard a.count >= 4, let id = a[1].string, let st = a[2].string.flatMap(ExecutionState.init(rawValue:)) else {
            throw .unexpectedReply("create: \(reply)")
        }
        return CreateResult(id: id, state: st, duplicate: code == 1, created: a[3].int ?? 0)
    }

    /// Takes the next dispatchable execution and leases it to this gateway.
    /// - Parameter allowed: job types that have a free worker slot now, with
    ///   their fleet-wide concurrency limit (0 = none).
    /// - Parameter rates: the rate of each job type that has one.
    public func claim(allowed: [String: Int], rates: [String: JobRate] = [:], leaseMillis: Int, gateway: String) throws(StoreError) -> ClaimedExecution? {
        if allowed.isEmpty { return nil }
        return try claimed(claimCalls.call(claimArgs(allowed: allowed, rates: rates, leaseMillis: leaseMillis, gateway: gateway).map(\.redisBytes)))
    }

    /// Up to `max` claims in one round trip (each exactly as `claim`): fewer when the queue
    /// has fewer dispatchable executions.
    /// - Parameter allowed: job types that have a free worker slot now, with their fleet-wide
    ///   concurrency limit (0 = none). The caller asks for no more than the slots it has.
    public func claimMany(allowed: [String: Int], rates: [String: JobRate] = [:], max: Int, leaseMillis: Int,
                          gateway: String) throws(StoreError) -> [ClaimedExecution] {
        try claimRound(allowed: allowed, rates: rates, max: max, leaseMillis: leaseMillis, gateway: gateway).claimed
    }

    /// `claimMany`, and whether the queues were left empty.
    public func claimRound(allowed: [String: Int], rates: [String: JobRate] = [:], max: Int, leaseMillis: Int,
                           gateway: String) throws(StoreError) -> ClaimRound {
        if allowed.isEmpty || max <= 0 { return ClaimRound(claimed: [], queueEmpty: false) }
        let item = claimArgs(allowed: allowed, rates: rates, leaseMillis: leaseMillis, gateway: gateway).map(\.redisBytes)
        let round = try Self.claimRound(redis, head: head, item, count: max)
        claimCalls.countDirect(max)
        var out: [ClaimedExecution] = []
        for reply in round.claims {
            if let c = try claimed(reply) { out.append(c) }
        }
        return ClaimRound(claimed: out, queueEmpty: round.queuesLeft == 0, rateWaitMillis: round.rateWait >= 0 ? round.rateWait : nil)
    }

    private func claimArgs(allowed: [String: Int], rates: [String: JobRate], leaseMillis: Int, gateway: String) -> [any RedisArgument] {
        var item = ScriptItem<ClaimArgument>()
        item[.gateway] = gateway; item[.lease] = leaseMillis; item[.depth] = limits.claimScanDepth
        return item.values + allowed.sorted(by: { $0.key < $1.key }).flatMap { Self.claimTuple(job: $0.key, limit: $0.value, rate: rates[$0.key]) }
    }

    private func claimed(_ reply: RedisReply) throws(StoreError) -> ClaimedExecution? {
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

    /// Parameters as stored: sorted JSON.
    static func paramsText(_ params: [String: String]) -> String {
        FlatJSON.encode(params) ?? String(decoding: (try? JSONEncoder.sorted.encode(params)) ?? Data("{}".utf8), as: UTF8.self)
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

    // MARK: the gateway's side

    /// Dispatch failed on every instance tried (see `Lua.dispatchFailed`).
    @discardableResult
    public func dispatchFailed(id: String, attempt: Int, exhausted: Bool, backoffMillis: Int, error: String) throws(StoreError) -> ExecutionState {
        var a = ScriptItem<DispatchFailedArgument>()
        a[.id] = id; a[.attempt] = attempt; a[.exhausted] = exhausted ? "1" : "0"; a[.backoff] = backoffMillis; a[.error] = error
        let reply = try run(Scripts.dispatchFailed, a.values)
        return try newState(reply, id: id, attempt: attempt, operation: "record a failed dispatch")
    }

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

    /// Trims retained executions (see `Lua.trim`). - Returns: how many were removed.
    public func trim(maxCount: Int, maxAgeMillis: Int64, batch: Int = 500) throws(StoreError) -> Int {
        var a = ScriptItem<TrimArgument>()
        a[.maxCount] = maxCount; a[.maxAge] = maxAgeMillis; a[.batch] = batch
        return Int(try run(Scripts.trim, a.values).int ?? 0)
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
