import BatchCore
import Foundation
import Redis
@testable import Store
import Testing
import TestSupport

@Suite(.blocking) struct CreateAndClaimTests {
    @Test func createWritesRecordQueueIndexesAndEventInOneStep() throws {
        let f = try StoreFixture()
        let r = try f.store.create(NewExecution(job: "report", params: ["date": "2026-11-24"], priority: 7, maxAttempts: 3,
                                                timeoutSeconds: 60, trigger: Trigger(source: "batchctl", user: "ops")), queueLimit: 0)
        #expect(r.state == .queued)
        #expect(r.duplicate == false)
        #expect(try f.state(r.id) == .queued)
        #expect(try f.field(r.id, "params") == #"{"date":"2026-11-24"}"#)
        #expect(try f.field(r.id, "user") == "ops")
        #expect(try f.queueList(7) == [r.id])
        #expect(try f.indexedStates(r.id) == [.queued])
        #expect(try f.send("ZSCORE", f.keys.recent, r.id).isNull == false)
        #expect(try f.send("ZSCORE", f.keys.byJob("report"), r.id).isNull == false)
        #expect(try f.eventCount() == 1)
    }

    @Test func getManyReadsEachInOrderAndNilForUnknown() throws {
        let f = try StoreFixture()
        let a = try f.store.create(NewExecution(job: "report", params: ["n": "1"]), queueLimit: 0)
        let b = try f.store.create(NewExecution(job: "backup", params: [:]), queueLimit: 0)
        let unknown = ExecutionID.make()
        let records = try f.store.getMany([b.id, "not an id", unknown, a.id])
        #expect(records.map { $0?.id } == [b.id, nil, nil, a.id])
        #expect(records[3]?.params == ["n": "1"] && records[0]?.job == "backup")
        #expect(try f.store.getMany([]).isEmpty)
    }

    @Test func callsAndRoundTripsCountManyCallsWithTheirOperation() throws {
        let f = try StoreFixture()
        func counts() -> [String: (Int, Int)] {
            Dictionary(uniqueKeysWithValues: f.store.groupedCalls.map { ($0.operation, ($0.calls, $0.roundTrips)) })
        }
        _ = try f.store.create(NewExecution(job: "report", params: [:]), queueLimit: 0)
        _ = try f.store.createMany((0..<3).map { _ in NewExecution(job: "report", params: [:]) }, queueLimit: 0)
        let claimed = try f.store.claimMany(allowed: ["report": 0], max: 4, leaseMillis: 10_000, gateway: "g")
        _ = try f.store.startMany(claimed.map { ($0.id, $0.attempt) }, worker: "w", leaseMillis: 10_000)
        _ = try f.store.finishMany(claimed.map { ($0.id, $0.attempt, AttemptEnd(outcome: .succeeded)) }, worker: "w")
        let c = counts()
        #expect(c["create"]! == (4, 2))
        #expect(c["claim"]! == (4, 1))
        #expect(c["start"]! == (4, 1))
        #expect(c["finish"]! == (4, 1))
    }

    @Test func sameIdempotencyKeyGivesOneExecution() throws {
        let f = try StoreFixture()
        let a = try f.store.create(NewExecution(job: "report", params: [:], idempotencyKey: "k1"), queueLimit: 0)
        let b = try f.store.create(NewExecution(job: "report", params: [:], idempotencyKey: "k1"), queueLimit: 0)
        #expect(b.id == a.id)
        #expect(b.duplicate)
        #expect(try f.queueList() == [a.id])
        #expect(try f.send("TTL", f.keys.idempotency("k1")).int! > 0)
    }

    @Test func queueOverItsLimitIsRefusedAndWritesNothing() throws {
        let f = try StoreFixture()
        _ = try f.store.create(NewExecution(job: "report", params: [:]), queueLimit: 2)
        _ = try f.store.create(NewExecution(job: "report", params: [:]), queueLimit: 2)
        let before = try f.eventCount()
        let n = NewExecution(job: "report", params: [:])
        #expect(throws: StoreError.queueFull(limit: 2)) { try f.store.create(n, queueLimit: 2) }
        #expect(try f.send("EXISTS", f.keys.exec(n.id)).int == 0)
        #expect(try f.queueList().count == 2)
        #expect(try f.eventCount() == before)
    }

    @Test func claimTakesHighestPriorityFirstAndFIFOWithinOne() throws {
        let f = try StoreFixture()
        let low1 = try f.store.create(NewExecution(job: "report", params: [:], priority: 1), queueLimit: 0).id
        let mid1 = try f.store.create(NewExecution(job: "report", params: [:], priority: 5), queueLimit: 0).id
        let mid2 = try f.store.create(NewExecution(job: "report", params: [:], priority: 5), queueLimit: 0).id
        let high = try f.store.create(NewExecution(job: "report", params: [:], priority: 9), queueLimit: 0).id
        var order: [String] = []
        while let c = try f.store.claim(allowed: ["report": 0], leaseMillis: 10_000, gateway: "g1") { order.append(c.id) }
        #expect(order == [high, mid1, mid2, low1])
        for id in order {
            #expect(try f.state(id) == .dispatched)
            #expect(try f.leased(id))
            #expect(try f.field(id, "attempt") == "1")
        }
        #expect(try f.running() == 4)
    }

    @Test func claimSkipsJobsWithoutFreeWorkersOrAtTheirConcurrencyLimit() throws {
        let f = try StoreFixture()
        let a = try f.store.create(NewExecution(job: "a", params: [:]), queueLimit: 0).id
        let b1 = try f.store.create(NewExecution(job: "b", params: [:]), queueLimit: 0).id
        let b2 = try f.store.create(NewExecution(job: "b", params: [:]), queueLimit: 0).id
        // Only b has a worker; its fleet-wide limit is 1.
        #expect(try f.store.claim(allowed: ["b": 1], leaseMillis: 10_000, gateway: "g")?.id == b1)
        #expect(try f.store.claim(allowed: ["b": 1], leaseMillis: 10_000, gateway: "g") == nil)
        #expect(try f.queueList() == [a, b2])
        #expect(try f.store.claim(allowed: [:], leaseMillis: 10_000, gateway: "g") == nil)
        #expect(try f.store.claim(allowed: ["a": 0, "b": 1], leaseMillis: 10_000, gateway: "g")?.id == a)
    }

    @Test func claimDropsStaleQueueEntries() throws {
        let f = try StoreFixture()
        _ = try f.send("RPUSH", f.keys.queue(5), "01AAAAAAAAAAAAAAAAAAAAAAAA")
        let id = try f.store.create(NewExecution(job: "report", params: [:]), queueLimit: 0).id
        #expect(try f.store.claim(allowed: ["report": 0], leaseMillis: 1000, gateway: "g")?.id == id)
        #expect(try f.queueList().isEmpty)
    }
}

@Suite(.blocking) struct AttemptTests {
    @Test func fullLifecycleEndsSucceededAndReleasesEverything() throws {
        let f = try StoreFixture()
        let id = try f.store.create(NewExecution(job: "report", params: ["x": "1"]), queueLimit: 0).id
        let c = try #require(try f.store.claim(allowed: ["report": 0], leaseMillis: 10_000, gateway: "g"))
        #expect(c.params == ["x": "1"])
        #expect(try f.store.start(id: id, attempt: c.attempt, worker: "w1", leaseMillis: 10_000) == .running)
        #expect(try f.store.start(id: id, attempt: c.attempt, worker: "w1", leaseMillis: 10_000) == .alreadyRunning)
        #expect(try f.store.report(id: id, attempt: 1, progress: 40, lines: ["hello", "world"]))
        #expect(try f.store.renew(worker: "w1", attempts: [(id, 1)], leaseMillis: 10_000) == [.renewed])
        let st = try f.store.finish(id: id, attempt: 1, worker: "w1", end: AttemptEnd(outcome: .succeeded, exitCode: 0, result: #"{"ok":true}"#))
        #expect(st == .succeeded)
        let rec = try #require(try f.store.get(id))
        #expect(rec.state == .succeeded)
        #expect(rec.progress == 40)
        #expect(rec.exitCode == 0)
        #expect(rec.result == .object(["ok": .bool(true)]))
        #expect(rec.runs == 1)
        #expect(rec.history.isEmpty)
        #expect(rec.attempts.map(\.outcome) == ["succeeded"])
        #expect(try f.send("OBJECT", "ENCODING", f.keys.exec(id)).string == "listpack")
        #expect(rec.finished != nil)
        #expect(try f.store.logTail(id) == ["hello", "world"])
        #expect(try f.leased(id) == false)
        #expect(try f.running() == 0)
        #expect(try f.indexedStates(id) == [.succeeded])
    }

    @Test func staleAttemptIsRefusedAndChangesNothing() throws {
        let f = try StoreFixture()
        let id = try f.seed(state: .running, attempt: 3)
        let before = try f.snapshot(id)
        #expect(throws: StoreError.staleAttempt(id: id, attempt: 2, current: 3)) {
            try f.store.finish(id: id, attempt: 2, worker: "w1", end: AttemptEnd(outcome: .succeeded))
        }
        #expect(try f.store.report(id: id, attempt: 2, progress: 99, lines: ["late"]) == false)
        #expect(try f.store.renew(worker: "w1", attempts: [(id, 2)], leaseMillis: 1000) == [.lost])
        #expect(try f.snapshot(id) == before)
        #expect(try f.store.logTail(id).isEmpty)
    }

    @Test func anotherWorkersFinishIsRefused() throws {
        let f = try StoreFixture()
        let id = try f.seed(state: .running, worker: "w1")
        #expect(throws: StoreError.leaseLost(id: id, attempt: 1)) {
            try f.store.finish(id: id, attempt: 1, worker: "w2", end: AttemptEnd(outcome: .succeeded))
        }
        #expect(try f.state(id) == .running)
    }

    @Test func retryableFailureGoesToDelayedThenBackToTheQueue() throws {
        let f = try StoreFixture()
        let id = try f.seed(state: .running, runs: 1, maxAttempts: 2)
        let st = try f.store.finish(id: id, attempt: 1, worker: "w1",
                                    end: AttemptEnd(outcome: .failed, reason: .exitCode, exitCode: 75, retryable: true, backoffMillis: 0))
        #expect(st == .retrying)
        #expect(try f.delayed(id))
        #expect(try f.leased(id) == false)
        #expect(try f.store.get(id)?.history.map(\.outcome) == ["failed"])
        #expect(try f.store.promoteDue().promoted == 1)
        #expect(try f.state(id) == .queued)
        #expect(try f.queueList() == [id])
        #expect(try f.indexedStates(id) == [.queued])
    }

    @Test func failureWithoutAttemptsLeftIsTerminal() throws {
        let f = try StoreFixture()
        let id = try f.seed(state: .running, runs: 2, maxAttempts: 2)
        let st = try f.store.finish(id: id, attempt: 1, worker: "w1",
                                    end: AttemptEnd(outcome: .failed, reason: .exitCode, exitCode: 1, retryable: true))
        #expect(st == .failed)
        #expect(try f.field(id, "reason") == "exit_code")
        #expect(try f.field(id, "exit_code") == "1")
    }

    @Test func retryNotYetDueIsNotPromoted() throws {
        let f = try StoreFixture()
        let id = try f.seed(state: .retrying, leaseMs: nil, dueMs: 60_000)
        #expect(try f.store.promoteDue().promoted == 0)
        #expect(try f.state(id) == .retrying)
    }

    @Test func dispatchFailureBacksOffOrExhausts() throws {
        let f = try StoreFixture()
        let a = try f.seed(state: .dispatched, runs: 0, worker: nil)
        #expect(try f.store.dispatchFailed(id: a, attempt: 1, exhausted: false, backoffMillis: 5_000, error: "refused") == .retrying)
        #expect(try f.delayed(a))
        #expect(try f.field(a, "dispatch_failures") == "1")
        let b = try f.seed(state: .dispatched, runs: 0, worker: nil)
        #expect(try f.store.dispatchFailed(id: b, attempt: 1, exhausted: true, backoffMillis: 0, error: "refused") == .failed)
        #expect(try f.field(b, "reason") == "dispatch_exhausted")
        #expect(try f.running() == 0)
    }

    @Test func requeueGivesAnAttemptBackToTheFrontWithoutCountingIt() throws {
        let f = try StoreFixture()
        let waiting = try f.store.create(NewExecution(job: "report", params: [:]), queueLimit: 0).id
        let id = try f.seed(state: .running, runs: 1)
        #expect(try f.store.requeue(id: id, attempt: 1, worker: "w1") == .queued)
        #expect(try f.queueList() == [id, waiting])
        #expect(try f.field(id, "runs") == "0")
        #expect(try f.leased(id) == false)
    }

    @Test func lateHeartbeatAfterExpiryLosesAndRecoveryWins() throws {
        let f = try StoreFixture()
        let id = try f.seed(state: .running, runs: 1, maxAttempts: 3, leaseMs: -1)
        #expect(try f.store.renew(worker: "w1", attempts: [(id, 1)], leaseMillis: 10_000) == [.lost])
        #expect(throws: StoreError.leaseLost(id: id, attempt: 1)) {
            try f.store.finish(id: id, attempt: 1, worker: "w1", end: AttemptEnd(outcome: .succeeded))
        }
        let rec = try f.store.recoverExpired(poisonThreshold: 3, backoffMillis: 0)
        #expect(rec.map(\.id) == [id])
        #expect(rec.map(\.state) == [.retrying])
        #expect(try f.field(id, "lost") == "1")
        #expect(try f.store.renew(worker: "w1", attempts: [(id, 1)], leaseMillis: 10_000) == [.lost])
        #expect(try f.running() == 0)
    }

    @Test func recoveryFailsAsWorkerLostWithoutAttemptsLeftAndAsPoisonAfterTooManyLosses() throws {
        let f = try StoreFixture()
        let noneLeft = try f.seed(state: .running, runs: 1, maxAttempts: 1, leaseMs: -1)
        let poisoned = try f.seed(state: .running, runs: 1, maxAttempts: 5, leaseMs: -1)
        _ = try f.send("HSET", f.keys.exec(poisoned), "lost", 2)
        let neverStarted = try f.seed(state: .dispatched, runs: 0, maxAttempts: 1, worker: nil, leaseMs: -1)
        let cancelling = try f.seed(state: .cancelling, leaseMs: -1)
        let healthy = try f.seed(state: .running, leaseMs: 60_000)
        let rec = Dictionary(uniqueKeysWithValues: try f.store.recoverExpired(poisonThreshold: 3, backoffMillis: 0).map { ($0.id, $0.state) })
        #expect(rec[noneLeft] == .failed)
        #expect(try f.field(noneLeft, "reason") == "worker_lost")
        #expect(rec[poisoned] == .failed)
        #expect(try f.field(poisoned, "reason") == "poison")
        #expect(rec[neverStarted] == .retrying)
        #expect(rec[cancelling] == .cancelled)
        #expect(rec[healthy] == nil)
        #expect(try f.state(healthy) == .running)
    }
}

@Suite(.blocking) struct CancelTests {
    @Test(arguments: [ExecutionState.queued, .retrying, .dispatched, .running, .cancelling, .succeeded, .failed, .timedOut, .cancelled])
    func cancelInEveryState(_ state: ExecutionState) throws {
        let f = try StoreFixture()
        let id = try f.seed(state: state, leaseMs: state.isLeased ? 10_000 : nil, dueMs: 60_000)
        let r = try f.store.cancel(id: id, user: "ops", source: "test")
        let expected: ExecutionState = switch state {
        case .queued, .retrying: .cancelled
        case .dispatched, .running, .cancelling: .cancelling
        default: state
        }
        #expect(r.state == expected)
        #expect(try f.state(id) == expected)
        #expect(try f.indexedStates(id) == [expected])
        if state == .queued { #expect(try f.queueList().isEmpty) }
        if state == .retrying { #expect(try f.delayed(id) == false) }
        if state == .running { #expect(r.worker == "w1") }
        #expect(try f.send("XLEN", f.keys.audit).int == 1)
        // A second cancel changes nothing.
        #expect(try f.store.cancel(id: id, user: "ops", source: "test").changed == false)
    }

    @Test func cancelOfUnknownIdIsNotFound() throws {
        let f = try StoreFixture()
        #expect(throws: StoreError.notFound("01BBBBBBBBBBBBBBBBBBBBBBBB")) {
            try f.store.cancel(id: "01BBBBBBBBBBBBBBBBBBBBBBBB", user: "u", source: "t")
        }
    }

    @Test func renewTellsTheWorkerAboutACancel() throws {
        let f = try StoreFixture()
        let id = try f.seed(state: .running)
        _ = try f.store.cancel(id: id, user: "ops", source: "test")
        #expect(try f.store.renew(worker: "w1", attempts: [(id, 1)], leaseMillis: 10_000) == [.cancelling])
        #expect(try f.store.finish(id: id, attempt: 1, worker: "w1", end: AttemptEnd(outcome: .cancelled, reason: .signal, signal: 15)) == .cancelled)
        #expect(try f.running() == 0)
    }
}

@Suite(.blocking) struct ReadAndRetentionTests {
    @Test func pagesByStateAndJobNewestFirst() throws {
        let f = try StoreFixture()
        var ids: [String] = []
        for i in 0..<7 {
            ids.append(try f.store.create(NewExecution(job: i % 2 == 0 ? "even" : "odd", params: [:]), queueLimit: 0).id)
        }
        let all = try f.store.list(limit: 100)
        #expect(Set(all.executions.map(\.id)) == Set(ids))
        let evens = try f.store.list(state: .queued, job: "even", limit: 100)
        #expect(evens.executions.count == 4)
        #expect(evens.executions.allSatisfy { $0.job == "even" })
        let byJob = try f.store.list(job: "odd", limit: 100)
        #expect(byJob.executions.count == 3)
        let counts = try f.store.counts()
        #expect(counts[.queued] == 7)
        #expect(try f.store.queueDepth().queued == 7)
    }

    @Test func pagingWithACursorWalksEverythingOnce() throws {
        let f = try StoreFixture()
        let now = try f.nowMs()
        // Distinct creation times, so the cursor is exact.
        for i in 0..<25 {
            let id = ExecutionID.make()
            _ = try f.send("HSET", f.keys.exec(id), "id", id, "job", "j", "state", "succeeded", "created", now - Int64(i * 10), "updated", now - Int64(i * 10))
            _ = try f.send("ZADD", f.keys.recent, now - Int64(i * 10), id)
        }
        var seen: [String] = []
        var before: String?
        repeat {
            let page = try f.store.list(limit: 10, before: before)
            seen += page.executions.map(\.id)
            before = page.next
        } while before != nil
        #expect(seen.count == 25)
        #expect(Set(seen).count == 25)
    }

    @Test func pagesNeverSkipExecutionsThatShareAMillisecond() throws {
        let f = try StoreFixture()
        var ids: [String] = []
        for _ in 0..<7 {
            let id = ExecutionID.make()
            _ = try f.send("HSET", f.keys.exec(id), "id", id, "job", "j", "state", "succeeded", "created", 5000, "updated", 5000)
            _ = try f.send("ZADD", f.keys.recent, 5000, id)
            ids.append(id)
        }
        var seen: [String] = []
        var before: String?
        repeat {
            let page = try f.store.list(limit: 2, before: before)
            seen += page.executions.map(\.id)
            before = page.next
        } while before != nil
        #expect(seen.sorted() == ids.sorted())
        #expect(seen.count == 7)
        #expect(throws: StoreError.badCursor("nonsense")) { try f.store.list(before: "nonsense") }
    }

    @Test func trimRemovesOldestTerminalExecutionsWithTheirLogsAndIndexes() throws {
        let f = try StoreFixture()
        let done = try (0..<5).map { _ in try f.seed(state: .succeeded, leaseMs: nil) }
        let live = try f.seed(state: .running)
        for id in done { _ = try f.send("RPUSH", f.keys.log(id), "line") }
        let removed = try f.store.trim(maxCount: 2, maxAgeMillis: 86_400_000)
        #expect(removed == 4)
        #expect(try f.state(live) == .running)
        #expect(try f.send("ZCARD", f.keys.recent).int == 2)
        let gone = try done.filter { try f.send("EXISTS", f.keys.exec($0)).int == 0 }
        #expect(gone.count == 4)
        for id in gone {
            #expect(try f.send("EXISTS", f.keys.log(id)).int == 0)
            #expect(try f.inIndex(id, .succeeded) == false)
            #expect(try f.send("ZSCORE", f.keys.byJob("report"), id).isNull)
        }
    }

    @Test func trimByAgeKeepsYoungOnes() throws {
        let f = try StoreFixture()
        let id = try f.seed(state: .failed, leaseMs: nil)
        #expect(try f.store.trim(maxCount: 100, maxAgeMillis: 3_600_000) == 0)
        #expect(try f.state(id) == .failed)
        #expect(try f.store.trim(maxCount: 100, maxAgeMillis: -1) == 1)
    }

    @Test func eventsRecordEveryTransition() throws {
        let f = try StoreFixture()
        let id = try f.store.create(NewExecution(job: "report", params: [:]), queueLimit: 0).id
        let c = try #require(try f.store.claim(allowed: ["report": 0], leaseMillis: 10_000, gateway: "g"))
        _ = try f.store.start(id: id, attempt: c.attempt, worker: "w", leaseMillis: 10_000)
        _ = try f.store.finish(id: id, attempt: c.attempt, worker: "w", end: AttemptEnd(outcome: .succeeded))
        let ev = try f.store.recentEvents(count: 10)
        #expect(ev.map(\.type) == ["created", "dispatched", "running", "succeeded"])
        #expect(ev.allSatisfy { $0.executionID == id })
        let after = try f.store.events(after: ev[1].streamID)
        #expect(after.map(\.type) == ["running", "succeeded"])
    }
}

@Suite(.blocking) struct StartFencingTests {
    @Test func anAttemptStartedByOneWorkerCannotBeStartedByAnother() throws {
        let f = try StoreFixture()
        let id = try f.store.create(NewExecution(job: "report", params: [:]), queueLimit: 0).id
        let c = try #require(try f.store.claim(allowed: ["report": 0], leaseMillis: 10_000, gateway: "g"))
        #expect(c.dispatchFailures == 0)
        #expect(c.queueWaitMillis >= 0)
        #expect(try f.store.start(id: id, attempt: c.attempt, worker: "w1", leaseMillis: 10_000) == .running)
        #expect(throws: StoreError.leaseLost(id: id, attempt: c.attempt)) {
            try f.store.start(id: id, attempt: c.attempt, worker: "w2", leaseMillis: 10_000)
        }
        #expect(try f.field(id, "worker") == "w1")
    }
}

@Suite(.blocking) struct AttemptsUsedTests {
    @Test func failedDispatchesDoNotCountAsAttemptsUsed() throws {
        let f = try StoreFixture()
        let id = try f.store.create(NewExecution(job: "report", params: [:], maxAttempts: 1), queueLimit: 0).id
        for _ in 0..<3 {
            let c = try #require(try f.store.claim(allowed: ["report": 0], leaseMillis: 10_000, gateway: "g"))
            #expect(try f.store.get(id)?.attemptsUsed == 1)
            _ = try f.store.dispatchFailed(id: id, attempt: c.attempt, exhausted: false, backoffMillis: 0, error: "refused")
            _ = try f.store.promoteDue()
        }
        let rec = try #require(try f.store.get(id))
        #expect(rec.attempt == 3)
        #expect(rec.attemptsUsed == 0)
        let c = try #require(try f.store.claim(allowed: ["report": 0], leaseMillis: 10_000, gateway: "g"))
        _ = try f.store.start(id: id, attempt: c.attempt, worker: "w", leaseMillis: 10_000)
        #expect(try f.store.get(id)?.attemptsUsed == 1)
    }
}
