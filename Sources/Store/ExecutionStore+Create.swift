import BatchCore
import Redis

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
    /// The job type's unique lock for these parameters (`JobType.uniqueKey`): while the
    /// execution holding it is active, a create answers that one as a duplicate.
    public var uniqueKey: String?

    public init(id: String = ExecutionID.make(), job: String, params: [String: String], priority: Int = Priority.default,
                maxAttempts: Int = 1, timeoutSeconds: Int = 3600, trigger: Trigger = Trigger(source: "api"),
                idempotencyKey: String? = nil, requestHash: String? = nil, runLater: RunLater = .now) {
        self.id = id; self.job = job; self.params = params; self.priority = priority; self.maxAttempts = maxAttempts
        self.timeoutSeconds = timeoutSeconds; self.trigger = trigger; self.idempotencyKey = idempotencyKey
        self.requestHash = requestHash; self.runLater = runLater
    }
}

/// The answer to a create.
public struct CreateResult: Sendable, Equatable {
    public var id: String
    public var state: ExecutionState
    public var duplicate: Bool
    public var created: Int64
}

extension ExecutionStore {
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
        a[.queueLimit] = queueLimit; a[.requestHash] = new.requestHash ?? ""; a[.uniqueKey] = new.uniqueKey ?? ""
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
}
