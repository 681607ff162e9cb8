import BatchCore
import Dispatch
import FoundationEssentials
import Glibc
import Daemon
import Platform
import Store

extension WorkerRuntime {
    /// The job of `a` ended (called once, from any thread): write its end on its lane.
    func ended(_ a: Attempt, _ outcome: JobOutcome, result: String?) {
        a.state.withLock { s in
            s.phase = .ending
            s.outcome = outcome
            // The handle's callbacks hold the attempt: let go of it.
            s.handle = nil
        }
        freeSlot(a)
        a.lane.async { self.complete(a, outcome, result: result) }
    }

    /// Writes the attempt's pending output and progress (on its lane).
    func flush(_ a: Attempt) {
        let (lines, progress, stop) = a.state.withLock { s -> ([String], Int?, StopReason?) in
            s.flushQueued = false
            let t = s.output.take()
            return (t.lines, t.progress, s.stop)
        }
        if stop == .lost || (lines.isEmpty && progress == nil) { return }
        logFile(of: a)?.write(lines)
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
        let opened = LogFile(directory: dir, id: a.id, attempt: a.number, error: &error)
        if let error { logger.warning(error, ["execution": a.id]) }
        a.state.withLock { $0.logFile = opened }
        return opened
    }

    /// Writes the end of an attempt and frees its slot (on its lane). A lost
    /// lease writes nothing; a drained attempt goes back to the queue.
    func complete(_ a: Attempt, _ outcome: JobOutcome, result: String?) {
        let job = a.job
        let duration = Double(now() - a.startedMonotonic) / 1000
        let stop = a.state.withLock { $0.stop }
        let bytes = a.state.withLock { $0.outputBytes }
        metrics.outputBytes.labels(job.name).add(Double(bytes))
        var final = a.snapshot()
        final.finishedAt = WorkerClock.iso(Date())
        let fields: KeyValuePairs<String, String> = ["execution": a.id, "attempt": String(a.number), "job": job.name]
        if stop == .lost {
            logger.warning("attempt given up without writing: its lease is lost", fields)
            final.status = "lost"
            remove(a, result: final)
            return
        }
        flush(a)
        if stop == .drain && outcome == .cancelled {
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
            return
        }
        var rng = SystemRandomNumberGenerator()
        let end = outcome.attemptEnd(job: job, attempt: a.number, result: result ?? processResult(a, outcome), random: &rng)
        logFile(of: a)?.write(["[batch-worker] \(end.outcome.rawValue)" + (end.reason.map { " (\($0.rawValue))" } ?? "")])
        final.reason = end.reason?.rawValue
        let ended = final
        // The lane does not wait for Redis: the end joins the next group of ends, and the attempt
        // leaves the table once it is written (or given up).
        writeEnd(a, end) { [self] in
            metrics.executions.labels(job.name, end.outcome.rawValue).inc()
            metrics.durations.labels(job.name).observe(duration)
            remove(a, result: ended)
            let level: Daemon.LogLevel = end.outcome == .succeeded ? .debug : .info
            guard logger.isEnabled(level) else { return }
            var endFields: [(String, String)] = [("execution", a.id), ("attempt", String(a.number)), ("job", job.name),
                                                 ("outcome", end.outcome.rawValue), ("reason", end.reason?.rawValue ?? "")]
            if let code = end.exitCode { endFields.append(("exit_code", String(code))) }
            if let signal = end.signal { endFields.append(("signal", String(signal))) }
            if let error = end.error { endFields.append(("error", error)) }
            endFields.append(("seconds", duration.fixed(3)))
            logger.log(level, "attempt ended", fields: endFields)
        }
    }

    /// `finish`, retried every 200 ms on the attempt's lane while the lease lasts when Redis does
    /// not answer; refusals (lease lost, stale attempt) are logged and dropped. `done` runs once
    /// the end is written or given up, on whichever thread that happens.
    private func writeEnd(_ a: Attempt, _ end: AttemptEnd, then done: @escaping @Sendable () -> Void) {
        store.finish(id: a.id, attempt: a.number, worker: id, end: end) { [self] result in
            guard case .failure(let error) = result else { return done() }
            metrics.writeFailures.labels("finish").inc()
            let lastRenewed = a.state.withLock { $0.lastRenewedAt }
            if !error.isUnavailable || a.policy.shouldAbandon(lastRenewedAt: lastRenewed, now: now())
                || a.state.withLock({ $0.stop }) == .lost {
                logger.warning("the end of the attempt was not recorded", ["execution": a.id, "attempt": String(a.number),
                                                                           "error": error.description])
                return done()
            }
            a.lane.asyncAfter(deadline: .now() + .milliseconds(200)) { self.writeEnd(a, end, then: done) }
        }
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
