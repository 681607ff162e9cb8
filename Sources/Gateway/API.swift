import BatchCore
import FleetAPI
import Foundation
import HTTP
import Store

/// The gateway's HTTP API (DESIGN.md §6).
struct API: Sendable {
    let context: GatewayContext

    struct WaitResponse: Encodable {
        var executionId: String
        var state: ExecutionState
        var duplicate: Bool
        var execution: ExecutionRecord?
    }

    struct Page: Encodable {
        var executions: [ExecutionRecord]
        var next: String?
    }

    func install(on router: Router) {
        router.addDeferred(GatewayAPI.execute) { req, responder in
            // On the event loop: validation is quick and the write does not block (it joins a group
            // commit and answers from there); only a long poll's reads go to a handler queue.
            execute(req, responder)
        }
        router.add(GatewayAPI.execution) { req in
            let id = req.pathParameters["id"] ?? ""
            guard let rec = try mapStore(read: true, { try context.store.get(id) }) else { throw notFound(id) }
            return .json(rec)
        }
        router.add(GatewayAPI.log) { req in
            let id = req.pathParameters["id"] ?? ""
            guard try mapStore(read: true, { try context.store.get(id) }) != nil else { throw notFound(id) }
            let n = Int(req.query["lines"] ?? "") ?? 100
            return .json(["lines": try mapStore(read: true) { try context.store.logTail(id, lines: max(1, min(n, 10_000))) }])
        }
        router.add(GatewayAPI.executions) { req in try list(req) }
        router.add(GatewayAPI.cancel) { req in try cancel(req) }
        router.add(GatewayAPI.retry) { req in try retry(req) }
        router.add(GatewayAPI.executeMany) { req in try executeMany(req) }
        router.add(GatewayAPI.pauseJob) { req in try pauseJob(req, true) }
        router.add(GatewayAPI.resumeJob) { req in try pauseJob(req, false) }
    }

    // MARK: execute

    func execute(_ req: HTTPRequest, _ responder: HTTPResponder) {
        let new: NewExecution, wait: Duration?
        do {
            (new, wait) = try validate(req)
        } catch let e as HTTPError {
            responder.respond(e.response)
            return
        } catch {
            responder.respond(.problem(status: 500, detail: "\(error)"))
            return
        }
        // A long poll waits from before the write, so an end that comes before the write's answer is not missed.
        let waiter = wait.map { _ in context.waiters.add(id: new.id) { [context] outcome in
            if case .ended(let rec?) = outcome {
                // The event watcher read the record with the end: answer from here.
                responder.respond(.json(WaitResponse(executionId: new.id, state: rec.state, duplicate: false, execution: rec),
                                        status: rec.state.isTerminal ? 200 : 202))
                return
            }
            DispatchQueue.global().async { answerWait(id: new.id, fallback: .queued, duplicate: false, responder, store: context.store) }
        } }
        // Noted before the write too: its `created` event can be read before the write's answer.
        context.wakeup.creating(new.id)
        context.store.create(new, queueLimit: context.settings.queueLimit,
                             idempotencyTTLSeconds: Int(context.settings.idempotencyTTL.inMilliseconds / 1000)) { result in
            let created: CreateResult
            switch result {
            case .success(let r):
                created = r
                if r.duplicate { context.wakeup.notCreated(new.id) }
            case .failure(let e):
                context.wakeup.notCreated(new.id)
                if let waiter { context.waiters.remove(id: new.id, token: waiter) }
                responder.respond(refusedByStore(e).response)
                return
            }
            if !created.duplicate {
                context.metrics.accepted.labels(new.job).inc()
                if context.logger.isEnabled(.info) {
                    context.logger.info("execution \(created.state.rawValue)", ["execution": created.id, "job": new.job, "source": new.trigger.source])
                }
            }
            context.wakeup.signal()
            guard let wait, let waiter, !created.state.isTerminal, created.id == new.id else {
                if let waiter { context.waiters.remove(id: new.id, token: waiter) }
                if let wait, created.id != new.id, !created.state.isTerminal {
                    // The idempotency key named an execution made earlier: wait for that one.
                    DispatchQueue.global().async { waitForEnd(created, wait, responder) }
                    return
                }
                responder.respond(.json(bytes: BatchExecutionResponse(executionId: created.id, state: created.state, duplicate: created.duplicate).json,
                                        status: created.state.isTerminal ? 200 : 202))
                return
            }
            context.waiters.arm(id: new.id, token: waiter, timeout: wait)
        }
    }

    /// The answer to a long poll: the execution as it stands (200 once it ended, else 202).
    func answerWait(id: String, fallback: ExecutionState, duplicate: Bool, _ responder: HTTPResponder, store: ExecutionStore) {
        let rec = try? store.get(id)
        let st = rec?.state ?? fallback
        responder.respond(.json(WaitResponse(executionId: id, state: st, duplicate: duplicate, execution: rec),
                                status: st.isTerminal ? 200 : 202))
    }

    /// Answers a long poll on an execution made earlier when it ends or `wait` runs out, holding no thread meanwhile.
    func waitForEnd(_ created: CreateResult, _ wait: Duration, _ responder: HTTPResponder) {
        let store = context.store
        context.waiters.add(id: created.id, timeout: wait) { _ in
            DispatchQueue.global().async {
                answerWait(id: created.id, fallback: created.state, duplicate: created.duplicate, responder, store: store)
            }
        }
        // It may have ended between the write and the registration.
        if let rec = try? store.get(created.id), rec.state.isTerminal { context.waiters.ended(created.id, record: rec) }
    }

    /// Checks an execute request and builds what would be written; nothing is written here.
    func validate(_ req: HTTPRequest) throws -> (NewExecution, Duration?) {
        let request: BatchExecutionRequest
        // When the fast reader declines, say what is wrong (invalid UTF-8, a duplicate key, not an
        // object) instead of what Foundation's decoder makes of it, or of its first-wins reading of a
        // duplicate key.
        var problem: String?
        let fast: ([UInt8]) -> BatchExecutionRequest? = { bytes in
            if let r = BatchExecutionRequest(json: bytes) { return r }
            problem = JSONReader.objectProblem(bytes)
            return nil
        }
        do {
            request = try req.decodeJSON(BatchExecutionRequest.self, fast: fast)
            if let problem { throw HTTPError(status: 400, detail: "invalid JSON body: \(problem)") }
        } catch let e as HTTPError {
            context.metrics.refused.labels("bad_request").inc()
            if let problem, e.status == 400 { throw HTTPError(status: 400, detail: "invalid JSON body: \(problem)") }
            throw e
        } catch {
            context.metrics.refused.labels("bad_request").inc()
            throw HTTPError(status: 400, detail: "the body is not a BatchExecutionRequest: \(error)")
        }
        var wait: Duration?
        if let w = req.query["wait"] {
            guard let s = Double(w), s >= 0 else { throw bad("query parameter wait must be a number of seconds, not \"\(w)\"", field: "wait") }
            wait = min(.milliseconds(Int64(s * 1000)), context.settings.waitMax)
        }
        return (try check(request, user: req.headers["X-Batch-User"]), wait)
    }

    /// Checks one execute request against its job type and the limits, and builds what would be
    /// written (nothing is written here); `user` fills `trigger.user` when the request has none.
    func check(_ request: BatchExecutionRequest, user: String?) throws(HTTPError) -> NewExecution {
        let job = request.jobType
        guard JobType.isValidName(job) else {
            throw bad("jobType must be 1–\(JobType.maxNameLength) letters, digits, '-', '_' or '.'", field: "jobType")
        }
        guard let type = context.directory.jobType(job) else {
            context.metrics.refused.labels("unknown_job").inc()
            let known = context.directory.knownJobTypes
            if known.isEmpty {
                throw HTTPError(status: 503,
                                detail: "no live worker serves any job type; start a worker (batch-worker) and try again",
                                extra: ["field": "jobType"])
            }
            throw bad("unknown job type \"\(job)\": no live worker serves it (known: \(known.joined(separator: ", ")))", field: "jobType")
        }
        let params: [String: String]
        switch type.validate(request.params ?? [:]) {
        case .success(let p): params = p
        case .failure(let e):
            context.metrics.refused.labels("bad_params").inc()
            throw bad(e.description, field: "params")
        }
        let size = params.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count + 6 }
        if size > context.settings.maxParamsBytes {
            throw HTTPError(status: 413, detail: "params take \(size) bytes; the limit is \(context.settings.maxParamsBytes) (gateway.max-params-bytes)")
        }
        let priority = request.priority ?? Priority.default
        guard Priority.range.contains(priority) else { throw bad("priority must be 0–9, not \(priority)", field: "priority") }
        let timeout: Int, attempts: Int
        switch type.limits(timeoutSeconds: request.timeoutSeconds, maxAttempts: request.maxAttempts) {
        case .success(let l): (timeout, attempts) = l
        case .failure(let e):
            context.metrics.refused.labels("bad_limits").inc()
            throw bad(e.message, field: e.field)
        }
        let runLater: RunLater
        switch RunLater.of(request, nowMillis: Int64(Date().timeIntervalSince1970 * 1000), maxAhead: context.settings.maxDelay) {
        case .success(let r): runLater = r
        case .failure(let e):
            context.metrics.refused.labels("bad_timing").inc()
            throw bad(e.message, field: e.field)
        }
        if let k = request.idempotencyKey {
            guard !k.isEmpty, k.utf8.count <= 200, !k.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw bad("idempotencyKey must be 1–200 bytes without control characters", field: "idempotencyKey")
            }
        }
        var trigger = request.trigger ?? Trigger(source: "api")
        try checkTrigger(trigger, key: request.idempotencyKey)
        if trigger.user == nil { trigger.user = user }
        for (name, value) in [("trigger.source", trigger.source), ("trigger.user", trigger.user ?? ""), ("trigger.schedule", trigger.schedule ?? "")]
            where value.utf8.count > 200 {
            throw bad("\(name) is longer than 200 bytes", field: name)
        }
        var new = NewExecution(job: job, params: params, priority: priority, maxAttempts: attempts, timeoutSeconds: timeout,
                               trigger: trigger, idempotencyKey: request.idempotencyKey,
                               requestHash: request.idempotencyKey == nil ? nil : request.fingerprint, runLater: runLater)
        new.uniqueKey = type.uniqueKey(params)
        return new
    }

    // MARK: execute many

    /// `POST /api/orchestration/executions:batch`: each item checked on its own and answered as
    /// `execute` would answer it alone; those that pass are written in one round trip to Redis.
    /// Not all-or-nothing: one bad row would otherwise turn away a thousand good ones, and a client
    /// resends the refused items by their index (with idempotency keys, resending all is safe too).
    /// A Redis failure of the round trip answers for the whole request (503: nothing was written;
    /// 504: unknown), as for one execution.
    func executeMany(_ req: HTTPRequest) throws -> HTTPResponse {
        if req.query["wait"] != nil {
            throw bad("wait is not offered for a batch: follow the executions with GET /api/orchestration/executions/{id}", field: "wait")
        }
        let batch: GatewayAPI.ExecuteManyRequest
        do {
            if let problem = JSONReader.objectProblem(req.body) { throw HTTPError(status: 400, detail: "invalid JSON body: \(problem)") }
            batch = try JSONDecoder().decode(GatewayAPI.ExecuteManyRequest.self, from: Data(req.body))
        } catch let e as HTTPError {
            context.metrics.refused.labels("bad_request").inc()
            throw e
        } catch {
            context.metrics.refused.labels("bad_request").inc()
            throw HTTPError(status: 400, detail: "the body is not {\"executions\": [execute requests]}: \(error)", extra: ["field": "executions"])
        }
        guard !batch.executions.isEmpty else { throw bad("executions is empty: give 1 to \(GatewayAPI.maxBatch)", field: "executions") }
        guard batch.executions.count <= GatewayAPI.maxBatch else {
            throw HTTPError(status: 413, detail: "\(batch.executions.count) executions in one request; the most is \(GatewayAPI.maxBatch): send several",
                            extra: ["field": "executions"])
        }
        var results = [GatewayAPI.ExecuteManyItem?](repeating: nil, count: batch.executions.count)
        var news: [(index: Int, new: NewExecution)] = []
        let user = req.headers["X-Batch-User"]
        for (i, request) in batch.executions.enumerated() {
            do throws(HTTPError) { news.append((i, try check(request, user: user))) } catch { results[i] = Self.refused(error) }
        }
        if !news.isEmpty {
            for n in news { context.wakeup.creating(n.new.id) }
            let outcomes: [Result<CreateResult, StoreError>]
            do {
                outcomes = try context.store.createMany(news.map(\.new), queueLimit: context.settings.queueLimit,
                                                        idempotencyTTLSeconds: Int(context.settings.idempotencyTTL.inMilliseconds / 1000))
            } catch {
                for n in news { context.wakeup.notCreated(n.new.id) }
                throw storeError(error)
            }
            for (n, outcome) in zip(news, outcomes) {
                switch outcome {
                case .success(let created):
                    if created.duplicate { context.wakeup.notCreated(n.new.id) } else { context.metrics.accepted.labels(n.new.job).inc() }
                    results[n.index] = GatewayAPI.ExecuteManyItem(status: created.state.isTerminal ? 200 : 202, executionId: created.id,
                                                                  state: created.state, duplicate: created.duplicate)
                case .failure(let e):
                    context.wakeup.notCreated(n.new.id)
                    results[n.index] = Self.refused(refusedByStore(e))
                }
            }
            context.wakeup.signal()
        }
        let answer = GatewayAPI.ExecuteManyResponse(results: results.map { $0! })
        if context.logger.isEnabled(.info) {
            context.logger.info("executions queued in a batch", ["accepted": String(answer.accepted), "refused": String(answer.refused)])
        }
        return .json(answer)
    }

    static func refused(_ e: HTTPError) -> GatewayAPI.ExecuteManyItem {
        GatewayAPI.ExecuteManyItem(status: e.status, type: e.type, title: e.title, detail: e.detail, field: e.extra["field"])
    }

    /// A client may not pose as a schedule or a retry. `trigger.source` `schedule` goes only with
    /// the fire's own key `schedule:<trigger.schedule>:<epoch-ms>`, and the store admits that key
    /// only for the request a scheduler bound to the fire in Redis; `retry` and `retryOf` are set
    /// by the retry endpoint alone. Any other source is a free label.
    func checkTrigger(_ t: Trigger, key: String?) throws(HTTPError) {
        let fireKey = key?.hasPrefix("schedule:") == true
        if t.source == "schedule" || fireKey {
            guard t.source == "schedule", let name = t.schedule, let key, key.hasPrefix("schedule:\(name):"),
                  Int64(key.dropFirst("schedule:\(name):".count)) != nil else {
                throw HTTPError(status: 403, detail: "trigger.source \"schedule\" and idempotency keys \"schedule:<name>:<epoch-ms>\" are reserved for"
                                + " schedulers, and go together: a schedule's fire carries source schedule, its schedule's name and its own key",
                                type: GatewayAPI.ProblemType.triggerReserved, extra: ["field": fireKey ? "idempotencyKey" : "trigger.source"])
            }
        }
        if t.source == "retry" || t.retryOf != nil {
            throw HTTPError(status: 403, detail: "trigger.source \"retry\" and trigger.retryOf are set by \(GatewayAPI.retry) only",
                            type: GatewayAPI.ProblemType.triggerReserved, extra: ["field": t.retryOf != nil ? "trigger.retryOf" : "trigger.source"])
        }
    }

    // MARK: reads and operator actions

    func list(_ req: HTTPRequest) throws -> HTTPResponse {
        var state: ExecutionState?
        if let s = req.query["state"], !s.isEmpty {
            guard let st = ExecutionState(rawValue: s) else {
                throw bad("unknown state \"\(s)\" (one of \(ExecutionState.allCases.map(\.rawValue).joined(separator: ", ")))", field: "state")
            }
            state = st
        }
        let limit = Int(req.query["limit"] ?? "50") ?? -1
        guard (1...1000).contains(limit) else { throw bad("limit must be 1–1000", field: "limit") }
        let before = req.query["before"].flatMap { $0.isEmpty ? nil : $0 }
        let job = req.query["job"].flatMap { $0.isEmpty ? nil : $0 }
        let page = try mapStore(read: true) { try context.store.list(state: state, job: job, limit: limit, before: before) }
        return .json(Page(executions: page.executions, next: page.next))
    }

    func cancel(_ req: HTTPRequest) throws -> HTTPResponse {
        let id = req.pathParameters["id"] ?? ""
        guard ExecutionID.isValid(id) else { throw notFound(id) }
        let user = req.headers["X-Batch-User"] ?? "api"
        let source = req.headers["X-Batch-Source"] ?? "api"
        let r: CancelResult
        r = try mapStore { try context.store.cancel(id: id, user: user, source: source) }
        if r.changed { context.logger.notice("execution cancel", ["execution": id, "state": r.state.rawValue, "user": user]) }
        if r.state == .cancelling, let w = r.worker, let address = context.directory.address(of: w) {
            // Reach the worker at once; its lease renewal notices the cancel within a second anyway.
            let worker = context.worker
            let log = context.logger
            DispatchQueue.global().async {
                do { _ = try worker.cancel(id, at: address, timeout: .seconds(2)) } catch {
                    log.info("could not reach the worker to cancel; its lease renewal will", ["execution": id, "worker": w, "error": "\(error)"])
                }
            }
        }
        return .json(GatewayAPI.CancelAnswer(executionId: id, state: r.state, changed: r.changed), status: 202)
    }

    /// Pauses or resumes a job type's dispatch for every gateway; audited. A job type no worker
    /// serves now may be paused too (before its workers come), as long as its name is valid.
    func pauseJob(_ req: HTTPRequest, _ paused: Bool) throws -> HTTPResponse {
        let job = req.pathParameters["job"] ?? ""
        guard JobType.isValidName(job) else { throw bad("job type must be 1–\(JobType.maxNameLength) letters, digits, '-', '_' or '.'", field: "job") }
        let user = req.headers["X-Batch-User"] ?? "api"
        let source = req.headers["X-Batch-Source"] ?? "api"
        let changed = try mapStore { try context.store.setJobPaused(job, paused, user: user, source: source) }
        if changed { context.logger.notice(paused ? "job type dispatch paused" : "job type dispatch resumed", ["job": job, "user": user]) }
        // This gateway at once; the others within their next maintenance round.
        context.refreshPausedJobs()
        return .json(GatewayAPI.JobPauseAnswer(job: job, paused: paused, changed: changed), status: 200)
    }

    func retry(_ req: HTTPRequest) throws -> HTTPResponse {
        let id = req.pathParameters["id"] ?? ""
        guard let rec = try mapStore(read: true, { try context.store.get(id) }) else { throw notFound(id) }
        guard rec.state.isTerminal else {
            throw HTTPError(status: 409, detail: "execution \(id) is \(rec.state.rawValue); only a terminal execution can be retried")
        }
        let user = req.headers["X-Batch-User"] ?? "api"
        var new = NewExecution(job: rec.job, params: rec.params, priority: rec.priority, maxAttempts: rec.maxAttempts,
                               timeoutSeconds: rec.timeoutSeconds,
                               trigger: Trigger(source: req.headers["X-Batch-Source"] ?? "retry", user: user, retryOf: id))
        new.uniqueKey = context.directory.jobType(rec.job)?.uniqueKey(rec.params)
        let r = try mapStore { try context.store.create(new, queueLimit: context.settings.queueLimit) }
        try? context.store.audit(action: "retry", user: user, source: "api", fields: ["id": id, "new": r.id])
        context.wakeup.signal()
        return .json(BatchExecutionResponse(executionId: r.id, state: r.state, duplicate: r.duplicate), status: 202)
    }

    // MARK: errors, mapped once

    func bad(_ detail: String, field: String) -> HTTPError {
        HTTPError(status: 400, detail: detail, extra: ["field": field])
    }

    func notFound(_ id: String) -> HTTPError {
        HTTPError(status: 404, detail: "no execution \(id) (unknown, or trimmed by retention)")
    }

    /// A create the store refused, as its answer; a full queue is counted among the refusals.
    func refusedByStore(_ e: StoreError) -> HTTPError {
        if case .queueFull = e { context.metrics.refused.labels("queue_full").inc() }
        return storeError(e)
    }

    func storeError(_ e: StoreError, read: Bool = false) -> HTTPError {
        switch e {
        case .notFound(let id): return notFound(id)
        case .queueFull(let limit):
            return HTTPError(status: 429,
                             detail: "the queue holds \(limit) executions or more (gateway.queue-limit); nothing was queued; try again later",
                             extra: ["retryAfter": "5"], headers: ["Retry-After": "5"])
        case .wrongState, .staleAttempt, .leaseLost, .dispatchMismatch:
            return HTTPError(status: 409, detail: e.description)
        case .idempotencyConflict(_, let existing, _):
            return HTTPError(status: 409, title: "Idempotency Key Reused", detail: e.description, type: GatewayAPI.ProblemType.keyReused,
                             extra: ["field": "idempotencyKey", "existingExecution": existing])
        case .fireNotClaimed:
            return HTTPError(status: 403, detail: e.description, type: GatewayAPI.ProblemType.triggerReserved, extra: ["field": "idempotencyKey"])
        case .badCursor:
            return HTTPError(status: 400, detail: e.description, extra: ["field": "before"])
        case .redis(.loading):
            return HTTPError(status: 503, detail: "Redis is loading its data; nothing was changed; try again shortly",
                             type: GatewayAPI.ProblemType.redisUnavailable, headers: ["Retry-After": "1"])
        case .redis, .unexpectedReply:
            if e.outcomeUnknown && !read {
                return HTTPError(status: 504, title: "Outcome Unknown",
                                 detail: "the request reached Redis but no answer came (\(e)): it may or may not have been applied. "
                                     + "Look it up before trying again, or repeat it with the same idempotencyKey, which makes a retry safe",
                                 type: GatewayAPI.ProblemType.outcomeUnknown)
            }
            if e.isUnavailable {
                return HTTPError(status: 503, detail: "Redis is unavailable: \(e); nothing was changed",
                                 type: GatewayAPI.ProblemType.redisUnavailable, headers: ["Retry-After": "1"])
            }
            return HTTPError(status: 500, detail: e.description)
        }
    }

    /// Runs a store call, mapping its errors; `read` for calls that change nothing, whose unanswered
    /// command is plain unavailability, not an unknown outcome.
    func mapStore<T>(read: Bool = false, _ body: () throws -> T) throws(HTTPError) -> T {
        do { return try body() } catch let e as StoreError { throw storeError(e, read: read) } catch let e as HTTPError { throw e } catch {
            throw HTTPError(status: 500, detail: "\(error)")
        }
    }
}
