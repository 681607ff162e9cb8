import BatchCore
import Foundation
import Glibc
import Store
import Testing
import TestSupport

/// The built daemons together: Redis, gateways, workers running real child processes.
/// Serialized: each test runs a fleet of its own, and two at once would starve a 2-core machine.
@Suite(.serialized, .blocking) struct FleetTests {
    @Test func thousandJobsThroughTwoGatewaysEachRunOnceSpreadOverThreeWorkers() throws {
        let c = try Cluster(gateways: 2, workers: 3, slots: 32)
        defer { c.stop() }
        var ids: [String] = []
        for i in 0..<1000 { ids.append(try c.trigger(#"{"jobType":"track"}"#, at: c.gateways[i % 2])) }
        let records = try c.waitForTerminal(ids, timeout: .seconds(120))
        let succeeded = records.values.filter { $0.state == .succeeded }
        #expect(succeeded.count == 1000, "\(Dictionary(grouping: records.values, by: \.state).mapValues(\.count))\n\(c.logs)")

        // Spread: every worker ran a fair share.
        let perWorker = Dictionary(grouping: succeeded, by: { $0.worker ?? "?" }).mapValues(\.count)
        for w in ["w1", "w2", "w3"] { #expect((perWorker[w] ?? 0) > 100, "\(perWorker)") }
        // Each ran exactly once: one run, no earlier attempt that ended, one start and one end of
        // the program. (The attempt number may be above 1: two gateways that both offered a worker
        // its last free slot have one of them refused, 429, and the execution claimed again, which
        // fences with a new number though nothing ran.)
        #expect(succeeded.allSatisfy { $0.runs == 1 && $0.history.isEmpty && $0.lost == 0 && $0.dispatchFailures == 0 },
                "\(succeeded.filter { $0.runs != 1 || !$0.history.isEmpty }.prefix(5))\n\(c.logLines(containing: "attempt ended").prefix(20).joined(separator: "\n"))")
        let refused = succeeded.filter { $0.attempt != 1 }.count
        #expect(refused < 50, "\(refused) of 1000 needed more than one claim")
        let log = c.attemptLog
        #expect(log.malformed.isEmpty, "\(log.malformed.prefix(5))")
        let runs = log.byID
        #expect(ids.allSatisfy { runs[$0]?.count == 1 && runs[$0]?.first?.end != nil },
                "\(ids.filter { runs[$0]?.count != 1 }.prefix(5).map { ($0, runs[$0] ?? []) })")

        // Two gateways never dispatched the same attempt twice.
        let events = try c.allEvents()
        let dispatches = Dictionary(grouping: events.filter { $0.type == "dispatched" }, by: { "\($0.executionID ?? "") \($0.fields["attempt"] ?? "")" })
        #expect(dispatches.values.allSatisfy { $0.count == 1 }, "\(dispatches.filter { $0.value.count > 1 }.keys.prefix(5))")
        try expectOneTerminalEvent(ids, in: events)
    }

    @Test func killingAWorkerMidRunLosesNothingAndNeverOverlapsAttempts() throws {
        let c = try Cluster(gateways: 2, workers: 3, slots: 100)
        defer { c.stop() }
        var ids: [String] = []
        for i in 0..<200 { ids.append(try c.trigger(#"{"jobType":"track","params":{"seconds":"8"}}"#, at: c.gateways[i % 2])) }
        let allStarted = waitUntil(timeout: .seconds(30), poll: .milliseconds(50)) { c.attemptLog.runs.count >= 200 }
        #expect(allStarted, "\(c.attemptLog.runs.count) of 200 started\n\(c.logs)")

        // The victim is the worker running the most (p2c spreads 200 over three, not evenly).
        let victim = c.workers.max { childPIDs(of: $0.process.pid).count < childPIDs(of: $1.process.pid).count }!
        let children = childPIDs(of: victim.process.pid)
        #expect(children.count > 20, "the victim runs \(children.count) children")
        let killedAt = wallMicros()
        victim.process.signal(SIGKILL)
        // No child outlives its worker by more than two seconds.
        let childrenGone = waitUntil(timeout: .seconds(2), poll: .milliseconds(10)) { children.allSatisfy { !isAlive($0) } }
        let goneAt = wallMicros()
        #expect(childrenGone, "alive 2 s after the worker's kill -9: \(children.filter(isAlive))")
        #expect(victim.process.wait(timeout: .seconds(5)) == .signaled(SIGKILL))

        let records = try c.waitForTerminal(ids, timeout: .seconds(60))
        let states = Dictionary(grouping: records.values, by: \.state).mapValues(\.count)
        #expect(states == [.succeeded: 200], "\(states)\n\(c.logs)")

        let log = c.attemptLog
        #expect(log.malformed.isEmpty, "\(log.malformed.prefix(5))")
        let overlaps = log.overlaps(unendedUntil: goneAt)
        #expect(overlaps.isEmpty, "overlapping attempts: \(overlaps.prefix(5))")
        let runs = log.byID
        for id in ids {
            let attempts = (runs[id] ?? []).map(\.attempt)
            #expect(Set(attempts).count == attempts.count, "\(id) ran one attempt twice: \(runs[id] ?? [])")
        }
        // The victim's runs were cut short and tried again soon after their lease ran out.
        let cut = log.runs.filter { children.contains($0.pid) }
        #expect(cut.count == children.count)
        var slowest: Int64 = 0
        for run in cut {
            #expect(run.end == nil, "\(run) ended although its worker was killed")
            guard let next = runs[run.id]?.first(where: { $0.attempt > run.attempt }) else {
                Issue.record("\(run.id) was never tried again after its worker died"); continue
            }
            slowest = max(slowest, next.start - killedAt)
        }
        // The lease ends at most `leaseSeconds` after the kill; recovery must follow within 5 s.
        let budget = Int64(Cluster.leaseSeconds + 5) * 1_000_000
        #expect(slowest > 0 && slowest < budget, "slowest retry started \(slowest / 1000) ms after the kill (budget \(budget / 1000) ms)")
        print("worker kill: \(cut.count) runs cut, slowest retry started \(slowest / 1000) ms after kill -9 (lease \(Cluster.leaseSeconds) s)")
        try expectOneTerminalEvent(ids, in: try c.allEvents())
    }

    @Test func killingAGatewayMidRunLosesNothing() throws {
        let c = try Cluster(gateways: 2, workers: 2, slots: 32)
        defer { c.stop() }
        var ids: [String] = []
        for i in 0..<300 { ids.append(try c.trigger(#"{"jobType":"track","params":{"seconds":"0.5"}}"#, at: c.gateways[i % 2])) }
        #expect(waitUntil(timeout: .seconds(20), poll: .milliseconds(20)) { c.attemptLog.runs.count >= 50 }, "\(c.logs)")
        c.gateways[0].process.signal(SIGKILL)
        #expect(c.gateways[0].process.wait(timeout: .seconds(5)) == .signaled(SIGKILL))
        // The surviving gateway dispatches the rest, and recovers what the dead one had claimed.
        let records = try c.waitForTerminal(ids, timeout: .seconds(60))
        let states = Dictionary(grouping: records.values, by: \.state).mapValues(\.count)
        #expect(states == [.succeeded: 300], "\(states)\n\(c.logs)")
        let log = c.attemptLog
        #expect(log.malformed.isEmpty)
        #expect(log.overlaps(unendedUntil: wallMicros()).isEmpty)
        #expect(log.byID.values.allSatisfy { runs in Set(runs.map(\.attempt)).count == runs.count && runs.allSatisfy { $0.end != nil } })
        try expectOneTerminalEvent(ids, in: try c.allEvents())
    }

    @Test func aStoppedWorkerTripsItsBreakerAndComesBackAfterItResumes() throws {
        let c = try Cluster(gateways: 1, workers: 2, slots: 16)
        defer { c.stop() }
        let gateway = c.gateways[0]
        let stuck = c.workers[1]
        stuck.process.signal(SIGSTOP)
        defer { stuck.process.signal(SIGCONT) }
        // Keep work coming until the gateway gives up on the silent worker (while it still counts
        // as live: its heartbeats stopped with it).
        var ids: [String] = []
        let opened = try waitUntil(timeout: .seconds(10), poll: .milliseconds(100)) {
            for _ in 0..<4 { ids.append(try c.trigger(#"{"jobType":"track"}"#)) }
            return breakerChanges(gateway.log, worker: "w2").contains { $0.contains("to=open") }
        }
        #expect(opened, "\(gateway.log.suffix(3000))")
        let records = try c.waitForTerminal(ids, timeout: .seconds(60))
        #expect(records.values.filter { $0.state == .succeeded }.count == ids.count, "\(c.logs)")
        #expect(records.values.allSatisfy { $0.worker == "w1" })
        // While open, calls stop: only those already in flight when it opened end later, at most one
        // per dispatcher thread (4 by default), the call that tripped it among them (a failed call is
        // recorded by the breaker before it is logged).
        let lines = gateway.log.split(separator: "\n")
        if let open = lines.firstIndex(where: { isBreakerChange($0, worker: "w2") && $0.contains("to=open") }) {
            let rest = lines[(open + 1)...]
            let end = rest.firstIndex { isBreakerChange($0, worker: "w2") } ?? lines.endIndex
            let failedWhileOpen = lines[(open + 1)..<end].filter { $0.contains("dispatch failed") && $0.contains("worker=w2") }
            #expect(failedWhileOpen.count <= 4, "\(failedWhileOpen)")
        }

        stuck.process.signal(SIGCONT)
        // Once it answers again, half-open probes pass and it takes work again.
        var more: [String] = []
        let back = try waitUntil(timeout: .seconds(30), poll: .milliseconds(200)) {
            more.append(try c.trigger(#"{"jobType":"track"}"#))
            return try more.contains { try c.store.get($0)?.worker == "w2" }
        }
        #expect(back, "\(c.logs)")
        let closed = try waitUntil(timeout: .seconds(20), poll: .milliseconds(200)) {
            more.append(try c.trigger(#"{"jobType":"track"}"#))
            return try c.fleet.breakers(gateways: ["g1"])["g1"]?["w2"]?.contains("closed") == true
        }
        let breakers = try c.fleet.breakers(gateways: ["g1"])
        #expect(closed, "\(breakers)")
        #expect(breakerChanges(gateway.log, worker: "w2").contains { $0.contains("to=closed") }, "\(gateway.log.suffix(3000))")
        // The requests that waited in the stopped worker's socket did not start stale attempts.
        _ = try c.waitForTerminal(more, timeout: .seconds(30))
        let log = c.attemptLog
        #expect(log.overlaps(unendedUntil: wallMicros()).isEmpty)
        let doubled = log.byID.filter { Set($0.value.map(\.attempt)).count != $0.value.count }
        #expect(doubled.isEmpty, "attempts run twice: \(doubled.prefix(3))")
        #expect(log.runs.allSatisfy { $0.end != nil })
    }

    @Test func cancelStopsAnExecutionInEveryStateItCanBeCaughtIn() throws {
        let c = try Cluster(gateways: 1, workers: 1, slots: 1)
        defer { c.stop() }
        // Running: the single slot holds it.
        let running = try c.trigger(#"{"jobType":"track","params":{"seconds":"60"}}"#)
        var pid: pid_t = 0
        #expect(waitUntil(timeout: .seconds(10)) {
            pid = c.attemptLog.byID[running]?.first?.pid ?? 0
            return pid != 0
        })
        // Queued: no free slot anywhere.
        let queued = try c.trigger(#"{"jobType":"track"}"#)
        #expect(try c.store.get(queued)?.state == .queued)
        #expect(try c.post("/api/orchestration/executions/\(queued)/cancel").status == 202)
        #expect(try c.store.get(queued)?.state == .cancelled)

        #expect(try c.post("/api/orchestration/executions/\(running)/cancel").status == 202)
        let ended = try c.waitForTerminal([running], timeout: .seconds(10))[running]
        #expect(ended?.state == .cancelled, "\(String(describing: ended))\n\(c.logs)")
        #expect(waitUntil(timeout: .seconds(3)) { !isAlive(pid) }, "the cancelled job's process \(pid) still runs")

        // Retrying: a failed attempt waits out its backoff in the delayed set.
        let flaky = try c.trigger(#"{"jobType":"flaky"}"#)
        #expect(try waitUntil(timeout: .seconds(10)) { try c.store.get(flaky)?.state == .retrying })
        #expect(try c.post("/api/orchestration/executions/\(flaky)/cancel").status == 202)
        #expect(try c.store.get(flaky)?.state == .cancelled)

        // Terminal: nothing changes, and saying it again is fine.
        let done = try c.trigger(#"{"jobType":"noop"}"#)
        #expect(try c.waitForTerminal([done], timeout: .seconds(10))[done]?.state == .succeeded)
        for id in [done, queued, running] {
            let r = try c.post("/api/orchestration/executions/\(id)/cancel")
            #expect(r.status == 202 && r.text.contains(#""changed":false"#), "\(id): \(r.status) \(r.text)")
        }
        #expect(try c.store.get(done)?.state == .succeeded)
        // The slot is free again: new work runs.
        let after = try c.trigger(#"{"jobType":"track"}"#)
        #expect(try c.waitForTerminal([after], timeout: .seconds(10))[after]?.state == .succeeded)
        #expect(c.attemptLog.byID[queued] == nil, "a cancelled queued execution ran")
    }

    @Test func badRequestsWriteNothingAndAnIdempotencyKeyGivesOneExecution() throws {
        let c = try Cluster(gateways: 2, workers: 1)
        defer { c.stop() }
        let before = try c.store.counts().values.reduce(0, +)
        let eventsBefore = try c.allEvents().count
        let bad = [
            #"{"jobType":"track","params":{"seconds":"soon"}}"#,
            #"{"jobType":"track","params":{"seconds":"1","extra":"x"}}"#,
            #"{"jobType":"nope"}"#,
            #"{"jobType":"track","priority":42}"#,
            #"{"jobType":"track","maxAttempts":0}"#,
            #"{"params":{}}"#,
            #"{"jobType":"track""#,
        ]
        for body in bad {
            let r = try c.execute(body)
            #expect(r.status == 400, "\(body) → \(r.status) \(r.text)")
            #expect(r.headers["Content-Type"] == "application/problem+json", "\(body)")
        }
        #expect(try c.store.counts().values.reduce(0, +) == before)
        #expect(try c.allEvents().count == eventsBefore)

        // The same key at both gateways: one execution, and it runs once.
        let body = #"{"jobType":"track","idempotencyKey":"nightly-2026-11-25"}"#
        let first = try c.execute(body, at: c.gateways[0]), second = try c.execute(body, at: c.gateways[1])
        let a = try JSONDecoder().decode(BatchExecutionResponse.self, from: Data(first.body))
        let b = try JSONDecoder().decode(BatchExecutionResponse.self, from: Data(second.body))
        #expect(a.executionId == b.executionId && !a.duplicate && b.duplicate)
        #expect(try c.waitForTerminal([a.executionId], timeout: .seconds(10))[a.executionId]?.state == .succeeded)
        #expect(try c.store.counts().values.reduce(0, +) == before + 1)
        #expect(c.attemptLog.byID[a.executionId]?.count == 1)
    }

    /// Each execution has exactly one terminal event in the stream.
    private func expectOneTerminalEvent(_ ids: [String], in events: [StreamEvent]) throws {
        let terminal = Dictionary(grouping: events.filter { $0.state?.isTerminal == true }, by: { $0.executionID ?? "" })
        let wrong = ids.filter { terminal[$0]?.count != 1 }
        #expect(wrong.isEmpty, "executions without exactly one terminal event: \(wrong.prefix(5).map { ($0, terminal[$0]?.count ?? 0) })")
    }
}

private func isBreakerChange(_ line: Substring, worker: String) -> Bool {
    line.contains("circuit breaker changed") && line.contains("worker=\(worker) ")
}

/// The gateway's log lines about `worker`'s breaker changing state, in order.
private func breakerChanges(_ log: String, worker: String) -> [Substring] {
    log.split(separator: "\n").filter { isBreakerChange($0, worker: worker) }
}
