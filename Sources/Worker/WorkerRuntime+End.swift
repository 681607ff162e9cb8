import BatchCore
import Dispatch
import FoundationEssentials
import Glibc
import Daemon
import Platform
import Store

extension WorkerRuntime {
    /// The job of `a` ended (from any thread): its end is written on its lane, or, when it ended
    /// before its dispatch was answered (a builtin that ends at once, a program that could not
    /// start) and left no output to write, by that dispatch (see `launch`).
    func ended(_ a: Attempt, _ outcome: JobOutcome, result: String?) {
        let actions = a.send { s in
            s.result = result
            return .jobEnded(outcome, outputWaiting: s.output.hasWork)
        }
        for action in actions {
            switch action {
            case .freeSlot: freeSlot(a)
            case .writeEndOnLane: a.lane.async { self.complete(a, outcome, result: result) }
            default: break
            }
        }
    }

    /// Writes the ends of jobs that ended while a dispatch was answered (see `ended`) in one round trip.
    func writeCollectedEnds(_ ends: [(Attempt, JobOutcome, String?)]) {
        let pending = ends.compactMap { prepareEnd($0.0, $0.1, result: $0.2) }
        if pending.isEmpty { return }
        let results: [Result<ExecutionState, StoreError>]
        do {
            results = try store.finishMany(pending.map { ($0.attempt.id, $0.attempt.number, $0.end) }, worker: id)
        } catch {
            results = Array(repeating: .failure(error), count: pending.count)
        }
        for (p, r) in zip(pending, results) {
            guard case .failure(let error) = r, let delay = retryFinish(p, after: error) else { endWritten(p); continue }
            p.attempt.lane.asyncAfter(deadline: .now() + .milliseconds(delay)) { self.writeEnd(p) }
        }
    }

    /// Writes the attempt's pending output and progress (on its lane).
    func flush(_ a: Attempt) {
        var (lines, progress): ([String], Int?) = ([], nil)
        let actions = a.send { s in
            (lines, progress) = s.output.take()
            return .flushStarted(took: !lines.isEmpty || progress != nil)
        }
        guard actions.contains(.writeOutput) else { return }
        defer { a.send(.flushFinished) }
        // A program's file has its raw output already (written as it was read).
        if a.job.kind != .command { logFile(of: a)?.write(lines) }
        do {
            try store.report(id: a.id, attempt: a.number, progress: progress, lines: lines)
        } catch {
            metrics.writeFailures.labels("report").inc()
            logger.warning("cannot write output", ["execution": a.id, "lines": String(lines.count), "error": error.description])
        }
    }

    /// The attempt's file in `worker.log-dir`, opened at the first write (on its lane).
    func logFile(of a: Attempt) -> LogFile? {
        guard let dir = settings.logDir else { return nil }
        let (file, tried) = a.state.withLock { s in defer { s.logFileTried = true }; return (s.logFile, s.logFileTried) }
        if tried { return file }
        var error: String?
        let (log, failures) = (logger, metrics.logDirFailures)
        let opened = LogFile(directory: dir, id: a.id, attempt: a.number, error: &error) { why in
            failures.inc()
            log.error(why, ["execution": a.id])
        }
        if let error {
            failures.inc()
            logger.warning(error, ["execution": a.id])
        }
        a.state.withLock { $0.logFile = opened }
        return opened
    }

    /// An ended attempt whose end is ready to be written, and what follows once it is.
    struct PendingEnd: Sendable {
        let attempt: Attempt
        let end: AttemptEnd
        let final: BatchResult
        let duration: Double
    }

    /// Writes the end of an attempt and frees its slot (on its lane). A lost
    /// lease writes nothing; a drained attempt goes back to the queue.
    func complete(_ a: Attempt, _ outcome: JobOutcome, result: String?) {
        // The lane does not wait for Redis: the end joins the next group of ends, and the attempt
        // leaves the table once it is written (or given up).
        if let p = prepareEnd(a, outcome, result: result) { writeEnd(p) }
    }

    /// Everything before the end is written: output flushed, the end computed. A lost or drained
    /// attempt is dealt with here (nil then).
    func prepareEnd(_ a: Attempt, _ outcome: JobOutcome, result: String?) -> PendingEnd? {
        let job = a.job
        let duration = Double(now() - a.startedMonotonic) / 1000
        guard let decision = a.send(.endDue(now: now())).first else { return nil }
        let bytes = a.state.withLock { $0.outputBytes }
        if bytes > 0 { metrics.outputBytes.labels(job.name).add(Double(bytes)) }
        var final = a.snapshot()
        final.finishedAt = WorkerClock.iso(Date())
        let fields: KeyValuePairs<String, String> = ["execution": a.id, "attempt": String(a.number), "job": job.name]
        if decision == .giveUp {
            // The snapshot shows `lost` already (the machine's stop is `lost` once it gives up).
            logger.warning("attempt given up without writing: its lease is lost", fields)
            remove(a, result: final)
            return nil
        }
        flush(a)
        if decision == .handBack {
            do {
                try store.requeue(id: a.id, attempt: a.number, worker: id)
                metrics.requeued.inc()
                logger.notice("attempt handed back to the queue", fields)
            } catch {
                metrics.writeFailures.labels("requeue").inc()
                logger.warning("cannot hand the attempt back; the lease recovery will", ["execution": a.id, "error": error.description])
            }
            final.status = "requeued"
            remove(a, result: final)
            return nil
        }
        let end = FastRandom.withShared { rng in
            outcome.attemptEnd(job: job, attempt: a.number, result: result ?? processResult(a, outcome), random: &rng)
        }
        logFile(of: a)?.write(["[batch-worker] \(end.outcome.rawValue)" + (end.reason.map { " (\($0.rawValue))" } ?? "")])
        final.reason = end.reason?.rawValue
        return PendingEnd(attempt: a, end: end, final: final, duration: duration)
    }

    /// The end is written (or given up): count it, free the attempt, log it.
    func endWritten(_ p: PendingEnd) {
        let (a, end, job) = (p.attempt, p.end, p.attempt.job)
        metrics.executions.labels(job.name, end.outcome.rawValue).inc()
        metrics.durations.labels(job.name, end.outcome.rawValue).observe(p.duration)
        remove(a, result: p.final)
        let level: Daemon.LogLevel = end.outcome == .succeeded ? .debug : .info
        guard logger.isEnabled(level) else { return }
        var endFields: [(String, String)] = [("execution", a.id), ("attempt", String(a.number)), ("job", job.name),
                                             ("outcome", end.outcome.rawValue), ("reason", end.reason?.rawValue ?? "")]
        if let code = end.exitCode { endFields.append(("exit_code", String(code))) }
        if let signal = end.signal { endFields.append(("signal", String(signal))) }
        if let error = end.error { endFields.append(("error", error)) }
        endFields.append(("seconds", p.duration.fixed(3)))
        logger.log(level, "attempt ended", fields: endFields)
    }

    /// `finish`, retried every 200 ms on the attempt's lane while the lease lasts when Redis does
    /// not answer; refusals (lease lost, stale attempt) are logged and dropped. `endWritten` follows
    /// once the end is written or given up, on whichever thread that happens.
    func writeEnd(_ p: PendingEnd) {
        let a = p.attempt
        store.finish(id: a.id, attempt: a.number, worker: id, end: p.end) { [self] result in
            guard case .failure(let error) = result, let delay = retryFinish(p, after: error) else { return endWritten(p) }
            a.lane.asyncAfter(deadline: .now() + .milliseconds(delay)) { self.writeEnd(p) }
        }
    }

    /// In how many milliseconds a `finish` that failed is tried again (Redis away, lease still
    /// good), or nil when it is not: a refusal is logged.
    private func retryFinish(_ p: PendingEnd, after error: StoreError) -> Int? {
        let a = p.attempt
        metrics.writeFailures.labels("finish").inc()
        if case .retryEnd(let delay)? = a.send(.endWriteFailed(unavailable: error.isUnavailable, now: now())).first { return delay }
        logger.warning("the end of the attempt was not recorded", ["execution": a.id, "attempt": String(a.number), "error": error.description])
        return nil
    }

    /// The result of a process: exit status and the last lines, at most `maxResult` bytes of JSON
    /// (keys sorted, as `JSONEncoder` would write them).
    func processResult(_ a: Attempt, _ outcome: JobOutcome) -> String? {
        var tail = a.state.withLock { $0.output.tail }[...]
        while true {
            var w = JSONWriter(capacity: 64)
            w.beginObject()
            switch outcome {
            case .exited(let c): w.field("exitCode", Int(c))
            case .signaled(let s): w.field("signal", Int(s))
            case .spawnError(let e): w.field("error", e)
            default: break
            }
            w.key("tail")
            w.beginArray()
            for line in tail { w.string(line) }
            w.endArray()
            w.endObject()
            if w.bytes.count <= Self.maxResult || tail.isEmpty { return String(decoding: w.bytes, as: UTF8.self) }
            tail = tail.dropFirst()
        }
    }
}
