import BatchCore
import Foundation
import Redis
@testable import Store
import Testing
import TestSupport

/// What `finish` leaves in the execution hash across attempts: the fields of
/// the last attempt only, and no field of an earlier one that no longer applies.
@Suite(.serialized, .blocking) struct FinishFieldsTests {
    /// Fails once (retryable), goes through the queue again, then ends as `second`.
    private func twoAttempts(_ f: StoreFixture, second: AttemptEnd) throws -> (id: String, record: ExecutionRecord) {
        let created = try f.store.create(NewExecution(job: "report", params: ["a": "1"], maxAttempts: 2), queueLimit: 0)
        let c1 = try #require(try f.store.claim(allowed: ["report": 0], leaseMillis: 60_000, gateway: "g1"))
        #expect(c1.attempt == 1)
        #expect(try f.store.start(id: c1.id, attempt: 1, worker: "w1", leaseMillis: 60_000) == .running)
        let first = AttemptEnd(outcome: .failed, reason: .exitCode, exitCode: 3, signal: 9, result: #"{"n":1}"#,
                               retryable: true, backoffMillis: 0, error: "first attempt broke")
        #expect(try f.store.finish(id: c1.id, attempt: 1, worker: "w1", end: first) == .retrying)
        let retrying = try #require(try f.store.get(c1.id))
        #expect(retrying.ended != nil)
        #expect(retrying.finished == nil)
        #expect(retrying.reason == "exit_code")
        #expect(retrying.error == "first attempt broke")
        #expect(try f.store.promoteDue().promoted == 1)
        let c2 = try #require(try f.store.claim(allowed: ["report": 0], leaseMillis: 60_000, gateway: "g2"))
        #expect(c2.id == created.id && c2.attempt == 2 && c2.runs == 1 && c2.params == ["a": "1"])
        let dispatched = try #require(try f.store.get(c2.id))
        #expect(dispatched.worker == nil)
        #expect(dispatched.gateway == "g2")
        #expect(try f.store.start(id: c2.id, attempt: 2, worker: "w2", leaseMillis: 60_000) == .running)
        // While attempt 2 runs, the hash holds nothing attempt 1 left: its figures are in the history.
        let raw = try f.snapshot(c2.id)
        for stale in ["ended", "finished", "exit_code", "signal", "result", "reason", "error"] {
            #expect(raw[stale] == nil, "attempt 2 is running, yet the hash holds attempt 1's \(stale)")
        }
        let running = try #require(try f.store.get(c2.id))
        #expect(running.state == .running && running.ended == nil && running.exitCode == nil && running.runMillis == nil)
        let h1 = try #require(running.history.first)
        #expect(h1.attempt == 1 && h1.outcome == "failed" && h1.reason == "exit_code")
        #expect(h1.exitCode == 3 && h1.error == "first attempt broke")
        _ = try f.store.finish(id: c2.id, attempt: 2, worker: "w2", end: second)
        return (c2.id, try #require(try f.store.get(c2.id)))
    }

    @Test func successAfterARetryKeepsNoReasonErrorOrEndedOfTheFirstAttempt() throws {
        let f = try StoreFixture()
        let (id, rec) = try twoAttempts(f, second: AttemptEnd(outcome: .succeeded, reason: .exitCode, exitCode: 0,
                                                              error: "ignored on success"))
        #expect(rec.state == .succeeded)
        #expect(rec.reason == nil)
        #expect(rec.error == nil)
        #expect(rec.ended == nil)
        #expect(rec.finished != nil)
        #expect(rec.updated == rec.finished)
        #expect(rec.exitCode == 0)
        #expect(rec.runs == 2 && rec.attempt == 2 && rec.worker == "w2")
        #expect(rec.history.map(\.outcome) == ["failed", "succeeded"])
        #expect(rec.history.map(\.worker) == ["w1", "w2"])
        #expect(try f.indexedStates(id) == [.succeeded])
        #expect(try f.store.leaseCount() == 0)
        #expect(try f.store.runningByJob().isEmpty)
    }

    @Test func finalFailureAfterARetryKeepsOnlyItsOwnFigures() throws {
        let f = try StoreFixture()
        let (id, rec) = try twoAttempts(f, second: AttemptEnd(outcome: .failed, reason: .signal, exitCode: 1,
                                                              retryable: true))
        #expect(rec.state == .failed)
        #expect(rec.reason == "signal")
        // Attempt 1's error and signal are its own: in the history, not on the final failure.
        #expect(rec.error == nil)
        #expect(rec.signal == nil)
        #expect(rec.result == nil)
        #expect(rec.history.first?.error == "first attempt broke")
        #expect(rec.ended == nil)
        #expect(rec.finished != nil)
        #expect(rec.exitCode == 1)
        #expect(rec.history.map(\.outcome) == ["failed", "failed"])
        #expect(try f.indexedStates(id) == [.failed])
    }

    @Test func aRunningRecordLeftWithAnEarlierAttemptsEndShowsNoneOfIt() throws {
        // As a record written before starts cleared the previous attempt's end would read.
        let f = try StoreFixture()
        let id = try f.seed(state: .running, runs: 2)
        _ = try f.send("HSET", f.keys.exec(id), "ended", 1, "exit_code", 3, "reason", "exit_code", "error", "old",
                       "started", 2)
        let rec = try #require(try f.store.get(id))
        #expect(rec.ended == nil && rec.exitCode == nil && rec.reason == nil && rec.error == nil && rec.runMillis == nil)
    }

    @Test func startWhileCancellingCountsTheRunButKeepsTheState() throws {
        let f = try StoreFixture()
        let id = try f.seed(state: .dispatched, runs: 0, worker: nil)
        #expect(try f.store.cancel(id: id, user: "ops", source: "api").state == .cancelling)
        #expect(try f.store.start(id: id, attempt: 1, worker: "w1", leaseMillis: 60_000) == .cancelling)
        let rec = try #require(try f.store.get(id))
        #expect(rec.state == .cancelling && rec.runs == 1 && rec.worker == "w1" && rec.started != nil)
        #expect(try f.indexedStates(id) == [.cancelling])
    }
}
