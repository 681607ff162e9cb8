import BatchCore
import Foundation
import Store
import Testing
@testable import Worker

/// A generator with a fixed sequence, so backoff delays are reproducible.
struct FixedRandom: RandomNumberGenerator {
    var state: UInt64 = 42
    mutating func next() -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return state }
}

struct JobOutcomeTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var outcome: JobOutcome
        var maxAttempts = 3
        var retryOnExit: [Int] = []
        var state: ExecutionState
        var reason: FailureReason?
        var retryable: Bool
        var testDescription: String { "\(outcome) max=\(maxAttempts) on=\(retryOnExit)" }
    }

    static let cases: [Case] = [
        Case(outcome: .exited(0), state: .succeeded, reason: nil, retryable: false),
        Case(outcome: .exited(2), state: .failed, reason: .exitCode, retryable: true),
        Case(outcome: .exited(2), maxAttempts: 1, state: .failed, reason: .exitCode, retryable: false),
        Case(outcome: .exited(2), retryOnExit: [75], state: .failed, reason: .exitCode, retryable: false),
        Case(outcome: .exited(75), retryOnExit: [75], state: .failed, reason: .exitCode, retryable: true),
        Case(outcome: .signaled(9), state: .failed, reason: .signal, retryable: true),
        Case(outcome: .signaled(9), retryOnExit: [75], state: .failed, reason: .signal, retryable: false),
        Case(outcome: .timedOut, state: .timedOut, reason: nil, retryable: false),
        Case(outcome: .cancelled, state: .cancelled, reason: nil, retryable: false),
        Case(outcome: .spawnError("no such file"), state: .failed, reason: .spawnError, retryable: false),
        Case(outcome: .httpStatus(204), state: .succeeded, reason: nil, retryable: false),
        Case(outcome: .httpStatus(503), state: .failed, reason: .httpStatus, retryable: true),
        Case(outcome: .httpError("refused"), state: .failed, reason: .httpError, retryable: true),
        Case(outcome: .httpError("refused"), maxAttempts: 1, state: .failed, reason: .httpError, retryable: false),
    ]

    @Test(arguments: cases)
    func attemptEndFollowsTheJobTypesRetryPolicy(_ c: Case) {
        let job = JobType(name: "j", argv: ["/bin/true"], maxAttempts: c.maxAttempts, retryOnExit: c.retryOnExit,
                          backoff: .seconds(2), backoffMax: .seconds(60))
        var rng = FixedRandom()
        let end = c.outcome.attemptEnd(job: job, attempt: 1, result: nil, random: &rng)
        #expect(end.outcome == c.state)
        #expect(end.reason == c.reason)
        #expect(end.retryable == c.retryable)
        if c.retryable {
            // Equal jitter on the first retry: between half the base and the base.
            #expect((1_000...2_000).contains(end.backoffMillis))
        } else {
            #expect(end.backoffMillis == 0)
        }
    }

    @Test func exitCodeAndSignalAreRecorded() {
        var rng = FixedRandom()
        let job = JobType(name: "j", argv: ["/bin/true"])
        #expect(JobOutcome.exited(3).attemptEnd(job: job, attempt: 1, result: nil, random: &rng).exitCode == 3)
        #expect(JobOutcome.signaled(15).attemptEnd(job: job, attempt: 1, result: nil, random: &rng).signal == 15)
        #expect(JobOutcome.spawnError("cannot start").attemptEnd(job: job, attempt: 1, result: nil, random: &rng).error == "cannot start")
    }

    @Test func processCauseWinsOverExitStatus() {
        let at = Date(timeIntervalSince1970: 0)
        func outcome(_ status: Worker.ExitStatus, _ cause: EndCause) -> JobOutcome {
            JobOutcome(ProcessOutcome(status: status, cause: cause, startedAt: at, endedAt: at, outputLines: 0,
                                      outputBytes: 0, droppedLines: 0, droppedBytes: 0))
        }
        #expect(outcome(.signaled(15), .timedOut) == .timedOut)
        #expect(outcome(.signaled(9), .cancelled) == .cancelled)
        #expect(outcome(.signaled(9), .natural) == .signaled(9))
        #expect(outcome(.exited(0), .natural) == .exited(0))
    }
}

struct CapacityTests {
    @Test func totalSlotsAndJobConcurrencyBothLimit() {
        var c = Capacity(slots: 3)
        let one = JobType(name: "one", argv: ["x"], concurrency: 1)
        let any = JobType(name: "any", argv: ["x"])
        #expect(c.take(one) == nil)
        #expect(c.take(one) == .jobFull(job: "one", running: 1, limit: 1))
        #expect(c.take(any) == nil)
        #expect(c.take(any) == nil)
        #expect(c.take(any) == .full(running: 3, slots: 3))
        c.release("one")
        #expect(c.free == 1)
        #expect(c.byJob == ["any": 2])
        #expect(c.take(one) == nil)
    }

    @Test func refusalsMapToTheProtocolsStatusCodes() {
        #expect(Refusal.draining.status == 503)
        #expect(Refusal.unknownJob("x").status == 404)
        #expect(Refusal.full(running: 1, slots: 1).status == 429)
        #expect(Refusal.jobFull(job: "x", running: 1, limit: 1).status == 429)
        #expect(Refusal.alreadyHere(id: "x", attempt: 1).status == 409)
    }
}

struct OutputBufferTests {
    @Test func takeReturnsLinesAndChangedProgressOnce() {
        var b = OutputBuffer(maxPending: 10, tailLines: 2)
        b.append("a"); b.append("b"); b.append("c")
        b.setProgress(30)
        #expect(b.hasWork)
        let t = b.take()
        #expect(t.lines == ["a", "b", "c"])
        #expect(t.progress == 30)
        #expect(!b.hasWork)
        #expect(b.take().progress == nil)
        #expect(b.tail == ["b", "c"])
        #expect(b.progress == 30)
    }

    @Test func pendingLinesStayBoundedAndDropsAreReported() {
        var b = OutputBuffer(maxPending: 100, tailLines: 5)
        for i in 0..<10_000 { b.append("line \(i)") }
        #expect(b.pending.count == 100)
        #expect(b.dropped == 9_900)
        let t = b.take()
        #expect(t.lines.first == "line 9900")
        #expect(t.lines.last?.contains("9900 output lines dropped") == true)
        b.countDropped(5)
        #expect(b.take().lines == ["[batch-worker] 5 output lines dropped (over the output rate or while Redis was slow)"])
    }
}

@Suite struct RecentResultsTests {
    func result(_ id: String, _ status: String = "succeeded") -> BatchResult { BatchResult(executionId: id, status: status) }

    @Test func keepsTheLastResultsAndForgetsTheOldestFirst() {
        var r = WorkerRuntime.RecentResults(limit: 3)
        for id in ["a", "b", "c", "d", "e"] { r.record(id, result(id)) }
        #expect(r.count == 3)
        #expect(r["a"] == nil && r["b"] == nil)
        #expect(r["c"]?.executionId == "c" && r["e"]?.executionId == "e")
        r.record("f", result("f"))
        #expect(r["c"] == nil && r["d"] != nil && r["f"] != nil)
    }

    @Test func aResultRecordedAgainIsReplacedNotCountedTwice() {
        var r = WorkerRuntime.RecentResults(limit: 2)
        r.record("a", result("a", "running"))
        r.record("a", result("a", "failed"))
        r.record("b", result("b"))
        #expect(r.count == 2)
        #expect(r["a"]?.status == "failed")
        r.record("c", result("c"))
        #expect(r["a"] == nil && r["b"] != nil && r["c"] != nil)
    }
}
