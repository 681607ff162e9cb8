import BatchCore
import Redis
@testable import Store
import Testing
import TestSupport

/// An attempt from start to end: fencing, retries, failed dispatches, hand-backs.
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
}

/// A start is fenced by the worker that holds the attempt.
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

/// Which attempts count against the limit.
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
