import BatchCore
import Dispatch
import FleetAPI
import FleetTestSupport
import Foundation
import HTTP
import Store
import Synchronization
import Testing
import TestSupport

/// A job type declared `unique` through the built gateway: one active execution per value of its
/// unique parameters, from one request or many at once, until that execution ends.
@Suite(.serialized, .blocking) struct UniqueTests {
    static let jobs = [
        JobType(name: "noop", kind: .builtin, builtin: .noop),
        JobType(name: "report", kind: .builtin, builtin: .noop, params: [ParamSpec(name: "date"), ParamSpec(name: "file")],
                unique: .names(["date"])),
    ]

    func answer(_ r: HTTPClientResponse) throws -> BatchExecutionResponse {
        try JSONDecoder().decode(BatchExecutionResponse.self, from: Data(r.body))
    }

    /// A gateway and a full worker (what the gateway tries to dispatch stays queued) serving `jobs`.
    func withFullWorker(_ label: String = #function, _ body: (GatewayFixture, FakeWorker) throws -> Void) throws {
        let f = try GatewayFixture(label)
        defer { f.stop() }
        let w = try FakeWorker(id: "w", redis: f.redis, namespace: f.namespace, mode: .full, jobs: Self.jobs)
        defer { w.stop() }
        try f.waitForJob("report")
        try body(f, w)
    }

    @Test func eightRequestsAtOnceMakeOneExecutionUntilItEnds() throws {
        try withFullWorker { f, w in
            let answers = Mutex<[BatchExecutionResponse]>([])
            let failures = Mutex<[String]>([])
            // Only `date` is unique: requests that differ in `file` are still the same.
            DispatchQueue.concurrentPerform(iterations: 8) { i in
                do {
                    let r = try f.execute(#"{"jobType":"report","params":{"date":"2026-12-08","file":"f\#(i)"}}"#)
                    if r.status != 202 { throw TestSupportError("\(r.status) \(r.text)") }
                    let a = try answer(r)
                    answers.withLock { $0.append(a) }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
            #expect(failures.withLock { $0 } == [])
            let all = answers.withLock { $0 }
            #expect(all.count == 8 && Set(all.map(\.executionId)).count == 1, "\(all)")
            #expect(all.filter { !$0.duplicate }.count == 1)
            let id = try #require(all.first?.executionId)
            let other = try answer(try f.execute(#"{"jobType":"report","params":{"date":"2026-12-09"}}"#))
            #expect(!other.duplicate && other.executionId != id)
            // The batch endpoint goes through the same lock.
            let items = #"{"jobType":"report","params":{"date":"2026-12-08"}},{"jobType":"report","params":{"date":"2026-12-10"}}"#
            let many = try f.client.request("POST", f.gateway.url + GatewayAPI.executeMany.pattern, headers: ["Content-Type": "application/json"],
                                            body: Array(#"{"executions":[\#(items)]}"#.utf8))
            let results = try JSONDecoder().decode(GatewayAPI.ExecuteManyResponse.self, from: Data(many.body)).results
            #expect(results.map(\.executionId).first == id && results.map(\.duplicate) == [true, false])
            // Once it ends, the next request makes a new execution.
            w.mode.withLock { $0 = .run }
            let ended = try waitUntil(timeout: .seconds(10)) { try f.store.get(id)?.state == .succeeded }
            #expect(ended, "\(f.gateway.log)")
            let next = try answer(try f.execute(#"{"jobType":"report","params":{"date":"2026-12-08","file":"f0"}}"#))
            #expect(!next.duplicate && next.executionId != id)
        }
    }

    @Test func aRetryOfAnEndedExecutionAnswersTheActiveOne() throws {
        try withFullWorker { f, _ in
            let first = try answer(try f.execute(#"{"jobType":"report","params":{"date":"2026-12-08"}}"#))
            // Caught mid-dispatch, it is cancelling until the full worker's refusal hands it back.
            _ = try f.store.cancel(id: first.executionId, user: "op", source: "test")
            #expect(try waitUntil(timeout: .seconds(10)) { try f.store.get(first.executionId)?.state == .cancelled })
            let second = try answer(try f.execute(#"{"jobType":"report","params":{"date":"2026-12-08"}}"#))
            #expect(!second.duplicate && second.executionId != first.executionId)
            let retry = try f.client.request("POST", f.gateway.url + "/api/orchestration/executions/\(first.executionId)/retry")
            #expect(retry.status == 202, "\(retry.text)")
            let r = try answer(retry)
            #expect(r.duplicate && r.executionId == second.executionId)
        }
    }
}
