import BatchCore
import FoundationEssentials
import Resilience
import Store

extension WorkerRuntime {
    /// Admits and starts one attempt (`POST /api/batch/{jobType}`). Returns once
    /// the job runs (status `running`), or once it is known to have ended at
    /// once (a spawn error: `failed`; cancelled before it ran: `cancelled`).
    func dispatch(jobType: String, request r: WorkerDispatchRequest) throws(DispatchError) -> BatchResult {
        let a = try admit(jobType: jobType, request: r)
        let started: Result<StartResult, StoreError>
        do {
            started = .success(try store.start(id: r.executionId, attempt: r.attempt, worker: id, leaseMillis: r.leaseMs,
                                               expected: DispatchedWork(job: jobType, params: r.params, timeoutSeconds: r.timeoutSeconds)))
        } catch {
            started = .failure(error)
        }
        var ends: [(Attempt, JobOutcome, String?)] = []
        defer { for (a, outcome, result) in ends { a.lane.async { self.complete(a, outcome, result: result) } } }
        return try launch(a, started, ends: &ends)
    }

    /// Admits and starts many attempts (`POST /api/batch`): every attempt is
    /// admitted or refused exactly as by `dispatch`, and the admitted ones are
    /// started in Redis in one round trip. One answer per request, in order.
    func dispatchMany(_ requests: [(jobType: String, request: WorkerDispatchRequest)]) -> [Result<BatchResult, DispatchError>] {
        var answers = [Result<BatchResult, DispatchError>?](repeating: nil, count: requests.count)
        // Admitted attempts by lease length (one gateway sends one; the start script takes one per call).
        var admitted: [Int: [(index: Int, attempt: Attempt, work: DispatchedWork)]] = [:]
        for (i, r) in requests.enumerated() {
            do {
                let a = try admit(jobType: r.jobType, request: r.request)
                let work = DispatchedWork(job: r.jobType, params: r.request.params, timeoutSeconds: r.request.timeoutSeconds)
                admitted[a.leaseMillis, default: []].append((i, a, work))
            } catch {
                answers[i] = .failure(error)
            }
        }
        // Jobs that end while this answer is made (builtins that end at once, programs that cannot
        // start) have their ends written together after the launches, in one round trip.
        var ends: [(Attempt, JobOutcome, String?)] = []
        defer { writeCollectedEnds(ends) }
        for (leaseMillis, group) in admitted.sorted(by: { $0.key < $1.key }) {
            let starts: [Result<StartResult, StoreError>]
            do {
                starts = try store.startMany(group.map { ($0.attempt.id, $0.attempt.number) }, worker: id, leaseMillis: leaseMillis,
                                             expected: group.map(\.work))
            } catch {
                // The call failed as a whole: no attempt was refused, none started.
                let whole: DispatchError = error.isUnavailable ? .unavailable(error.description) : .failed(error.description)
                for item in group {
                    remove(item.attempt)
                    answers[item.index] = .failure(whole)
                }
                continue
            }
            for (item, started) in zip(group, starts) {
                do {
                    answers[item.index] = .success(try launch(item.attempt, started, ends: &ends))
                } catch {
                    answers[item.index] = .failure(error)
                }
            }
        }
        return answers.map { $0! }
    }

    /// The leases and timeouts a dispatch may name: the start script then checks that the
    /// timeout is the stored execution's; the lease comes from the gateway's `lease` setting.
    static let leaseRange = 100...3_600_000
    static let timeoutRange = 1...31_536_000

    /// Checks a dispatch and takes a slot for it; the attempt is `starting` until `launch`.
    private func admit(jobType: String, request r: WorkerDispatchRequest) throws(DispatchError) -> Attempt {
        guard let job = jobs[jobType] else {
            if table.withLock({ $0.draining }) { throw .refused(.draining) }
            throw .refused(.unknownJob(jobType))
        }
        guard ExecutionID.isValid(r.executionId), r.attempt >= 1 else {
            throw .invalidParams(job: jobType, detail: "executionId must be an execution id and attempt at least 1")
        }
        guard Self.leaseRange.contains(r.leaseMs) else {
            throw .invalidParams(job: jobType, detail: "leaseMs must be \(Self.leaseRange.lowerBound)–\(Self.leaseRange.upperBound) (100 ms to 1 h), not \(r.leaseMs)")
        }
        guard Self.timeoutRange.contains(r.timeoutSeconds) else {
            throw .invalidParams(job: jobType, detail: "timeoutSeconds must be \(Self.timeoutRange.lowerBound)–\(Self.timeoutRange.upperBound) (1 s to 365 days), not \(r.timeoutSeconds)")
        }
        // The gateway validated already; checking again keeps a bad or forged request from reaching a program.
        let params: [String: String]
        switch job.validate(r.params.mapValues { JSONValue.string($0) }) {
        case .success(let p): params = p
        case .failure(let e): throw .invalidParams(job: jobType, detail: e.description)
        }
        let leaseProblems = LeasePolicy(lease: .milliseconds(r.leaseMs), renewEvery: settings.leaseRenew).validationProblems()
        if !leaseProblems.isEmpty {
            throw .invalidParams(job: jobType, detail: "leaseMs \(r.leaseMs) does not fit this worker's lease-renew \(settings.leaseRenew): \(leaseProblems.joined(separator: "; "))")
        }
        let timeout: Duration = .seconds(r.timeoutSeconds)
        let sentAt = now()
        let a = Attempt(id: r.executionId, number: r.attempt, job: job, params: params, timeout: timeout, leaseMillis: r.leaseMs,
                        renewEvery: settings.leaseRenew, killGrace: settings.killGrace, lane: lane(for: r.executionId), now: sentAt,
                        output: OutputBuffer(maxPending: max(100, settings.outputMaxLinesPerSecond * 10)))
        let refusal: Refusal? = table.withLock { t in
            if t.draining { return .draining }
            if t.startingUp { return .starting }
            if let other = t.attempts[r.executionId] { return .alreadyHere(id: other.id, attempt: other.number) }
            if let no = t.capacity.take(job) { return no }
            t.attempts[r.executionId] = a
            return nil
        }
        if let refusal { throw .refused(refusal) }
        return a
    }

    /// Runs an admitted attempt's job once Redis answered its start (or frees its slot when it did not).
    /// When the job ended meanwhile with no output to write, its end is added to `ends` for the caller.
    private func launch(_ a: Attempt, _ startResult: Result<StartResult, StoreError>,
                        ends: inout [(Attempt, JobOutcome, String?)]) throws(DispatchError) -> BatchResult {
        defer {
            if a.send(.dispatchAnswered).contains(.writeEndWithDispatch) {
                let (outcome, result) = a.state.withLock { ($0.machine.outcome, $0.result) }
                if let outcome { ends.append((a, outcome, result)) }
            }
        }
        let started: StartResult
        switch startResult {
        case .success(let s): started = s
        case .failure(let error):
            remove(a)
            throw DispatchError(store: error)
        }
        switch started {
        case .alreadyRunning:
            remove(a)
            throw .conflict("execution \(a.id) attempt \(a.number) is already running (started by an earlier dispatch)")
        case .cancelling:
            a.send(.cancelRequested)
            ended(a, .cancelled, result: nil)
            return BatchResult(executionId: a.id, attempt: a.number, status: "cancelled", startedAt: a.startedAtText)
        case .running:
            break
        }
        let job = a.job, params = a.params, timeout = a.timeout
        if logger.isEnabled(.debug) { logger.debug("started", ["execution": a.id, "attempt": String(a.number), "job": job.name]) }
        switch job.kind {
        case .command: launchProcess(a)
        case .builtin: launchInProcess(a) { j, out in self.builtins.start(job.builtin ?? .noop, params: params, timeout: timeout, job: j, output: out) }
        case .http:
            launchInProcess(a) { j, out in
                self.httpJobs.start(job, params: params, executionId: a.id, attempt: a.number, timeout: timeout, job: j, output: out)
            }
        }
        // The job started: `running`, even when it has ended already (its end goes to Redis);
        // only a program that could not start is answered as failed.
        var result = BatchResult(executionId: a.id, attempt: a.number, status: "running", startedAt: a.startedAtText)
        if case .spawnError? = a.state.withLock({ $0.machine.outcome }) {
            result.status = ExecutionState.failed.rawValue
            result.reason = FailureReason.spawnError.rawValue
        }
        return result
    }

    private func launchProcess(_ a: Attempt) {
        let job = a.job
        var spec = ProcessSpec(argv: job.argv(for: a.params, executionId: a.id, attempt: a.number))
        spec.environment = JobEnvironment.variables(executionID: a.id, attempt: a.number, params: a.params.mapValues { .string($0) },
                                                    extra: job.env, passthrough: settings.envPassthrough)
        spec.workingDirectory = job.workingDirectory
        spec.stdin = JobEnvironment.stdinJSON(a.params.mapValues { .string($0) })
        spec.timeout = a.timeout
        spec.killGrace = settings.killGrace
        spec.maxLineBytes = settings.lineMaxBytes
        spec.maxLinesPerSecond = settings.outputMaxLinesPerSecond
        if let file = logFile(of: a) { spec.rawOutput = RawOutputSink { file.write(bytes: $0) } }
        // Enforced outside the worker: a stopped worker cannot kill its child in time itself.
        spec.leaseDeadline = a.state.withLock { $0.machine.reaperDeadline }
        let droppedLines = metrics.droppedLines.labels(job.name)
        do {
            let process = try runner.start(spec, onEvent: { event in
                a.state.withLock { s in
                    switch event {
                    case .output(let lines): for l in lines { s.output.append(l.text) }
                    case .progress(let p): s.output.setProgress(p)
                    case .dropped(let n, _): s.output.countDropped(n)
                    }
                }
                if case .dropped(let n, _) = event { droppedLines.add(Double(n)) }
            }, onExit: { outcome in
                a.state.withLock { $0.outputBytes = outcome.outputBytes }
                self.ended(a, JobOutcome(outcome), result: nil)
            })
            a.attach(process)
        } catch {
            metrics.spawnFailures.labels(job.name).inc()
            logger.warning("cannot start the job's program", ["execution": a.id, "job": job.name, "error": error.description])
            ended(a, .spawnError(error.description), result: nil)
        }
    }

    private func launchInProcess(_ a: Attempt, _ start: (InProcessJob, @escaping @Sendable ([String]) -> Void) -> Void) {
        let j = InProcessJob { outcome, result in self.ended(a, outcome, result: result) }
        a.attach(j)
        start(j) { lines in a.state.withLock { s in for l in lines { s.output.append(l) } } }
    }

    /// Frees the slot of an attempt whose job ended, while its end is still to be written: a
    /// gateway that reads the end and dispatches again at once finds the slot free.
    func freeSlot(_ a: Attempt) {
        table.withLock { t in
            guard t.attempts[a.id] === a, t.slotFreed.insert(a.id).inserted else { return }
            t.capacity.release(a.job.name)
        }
    }

    /// Takes an attempt that is over (or never ran) out of the table, and frees its slot if `freeSlot` did not.
    func remove(_ a: Attempt, result: BatchResult? = nil) {
        defer { a.send(.removed) }
        table.withLock { t in
            guard t.attempts[a.id] === a else { return }
            t.attempts[a.id] = nil
            if t.slotFreed.remove(a.id) == nil { t.capacity.release(a.job.name) }
            if let result { t.recent.record(a.id, result) }
        }
    }
}
