import BatchCore
import Foundation
import HTTP
import Store
import Testing
import TestSupport
@testable import Worker

/// The worker runs what the stored execution says, not what a dispatch body claims.
@Suite(.serialized, .blocking)
struct WorkerDispatchTrustTests {
    func post(_ h: WorkerHarness, _ path: String, _ json: String) throws -> HTTPClientResponse {
        try h.http.request("POST", h.baseURL + path, headers: ["Content-Type": "application/json"], body: Array(json.utf8))
    }

    @Test func aDispatchThatDisagreesWithTheStoredExecutionIsRefusedAndStartsNothing() throws {
        let h = try WorkerHarness(jobs: commonJobs)
        defer { h.stop() }
        let c = try h.seed(job: "args", params: ["a": "safe"], timeoutSeconds: 60)
        let forged: [(String, WorkerDispatchRequest, String)] = [
            ("args", WorkerDispatchRequest(executionId: c.id, attempt: c.attempt, params: ["a": "evil"], timeoutSeconds: 60, leaseMs: 10_000), "parameters"),
            ("args", WorkerDispatchRequest(executionId: c.id, attempt: c.attempt, params: ["a": "safe", "b": "more"], timeoutSeconds: 60, leaseMs: 10_000), "parameters"),
            ("args", WorkerDispatchRequest(executionId: c.id, attempt: c.attempt, params: ["a": "safe"], timeoutSeconds: 3600, leaseMs: 10_000), "timeout"),
            ("echo", WorkerDispatchRequest(executionId: c.id, attempt: c.attempt, params: ["a": "safe"], timeoutSeconds: 60, leaseMs: 10_000), "job type"),
        ]
        for (job, body, field) in forged {
            let r = try h.http.post("\(h.baseURL)/api/batch/\(job)", json: body)
            #expect(r.status == 409, "\(job) \(body) → \(r.status) \(r.text)")
            #expect(r.text.contains(field), "\(r.text)")
        }
        // The batch endpoint refuses the same way.
        let batch = WorkerDispatchBatch(dispatches: [WorkerDispatchItem(jobType: "args", forged[0].1)])
        let answers = try JSONDecoder().decode(WorkerDispatchBatchResponse.self,
                                               from: Data(h.http.post("\(h.baseURL)/api/batch", json: batch).body)).results
        #expect(answers.map(\.status) == [409], "\(answers)")
        let rec = try #require(try h.store.get(c.id))
        #expect(rec.state == .dispatched && rec.worker == nil && rec.runs == 0, "a forged dispatch started something: \(rec)")
        // The dispatch that agrees runs.
        #expect(try h.dispatch(c).status == 202)
        #expect(h.waitForTerminal(c.id)?.state == .succeeded)
    }

    @Test func leaseAndTimeoutOutsideTheirRangesAreRefused() throws {
        let h = try WorkerHarness(jobs: commonJobs)
        defer { h.stop() }
        let c = try h.seed(job: "noop")
        for (lease, timeout, word) in [("1000000000000000000", "60", "leaseMs"), ("99", "60", "leaseMs"),
                                       ("10000", "-5", "timeoutSeconds"), ("10000", "0", "timeoutSeconds"),
                                       ("10000", "999999999", "timeoutSeconds")] {
            let r = try post(h, "/api/batch/noop",
                             #"{"executionId":"\#(c.id)","attempt":\#(c.attempt),"params":{},"timeoutSeconds":\#(timeout),"leaseMs":\#(lease)}"#)
            #expect(r.status == 422, "lease \(lease) timeout \(timeout) → \(r.status) \(r.text)")
            #expect(r.text.contains(word), "\(r.text)")
        }
        #expect(try h.store.get(c.id)?.state == .dispatched)
    }

    @Test(arguments: ["date", "DATE", "run-id", "run_id", "a.b", "x9"])
    func theConfigCheckAndTheWorkerNameParameterVariablesAlike(name: String) {
        #expect(JobType.parameterVariable(name) == JobEnvironment.parameterVariable(name))
    }
}
