import BatchCore
import FleetTestSupport
import Foundation
import HTTP
import Store
import Testing
import TestSupport

/// What a request may ask of a job type's limits, through the built gateway.
@Suite(.serialized, .blocking) struct RequestLimitTests {
    static let jobs = [
        JobType(name: "capped", kind: .builtin, builtin: .noop, timeout: .seconds(300), maxAttempts: 2),
        { var j = JobType(name: "stretch", kind: .builtin, builtin: .noop, timeout: .seconds(60), maxAttempts: 1)
          j.maxTimeoutMs = 3_600_000; return j }(),
    ]

    @Test func aRequestMayLowerTheDeclaredLimitsButNeverRaiseThem() throws {
        let f = try GatewayFixture()
        defer { f.stop() }
        let w = try FakeWorker(id: "w", redis: f.redis, namespace: f.namespace, mode: .full, jobs: Self.jobs)
        defer { w.stop() }
        try f.waitForJob("capped")
        let before = try f.store.counts().values.reduce(0, +)
        let refused: [(String, String)] = [
            (#"{"jobType":"capped","timeoutSeconds":604800,"maxAttempts":100}"#, "timeoutSeconds 604800 is above the 300 s"),
            (#"{"jobType":"capped","timeoutSeconds":301}"#, "declare max-timeout"),
            (#"{"jobType":"capped","maxAttempts":3}"#, "maxAttempts 3 is above the 2"),
            (#"{"jobType":"capped","timeoutSeconds":-5}"#, "at least 1"),
            (#"{"jobType":"stretch","timeoutSeconds":3601}"#, "above the 3600 s"),
            (#"{"jobType":"stretch","maxAttempts":2}"#, "maxAttempts 2 is above the 1"),
        ]
        for (body, expected) in refused {
            let r = try f.execute(body)
            #expect(r.status == 400, "\(body) → \(r.status) \(r.text)")
            #expect(r.text.contains(expected), "\(body) → \(r.text)")
        }
        #expect(try f.store.counts().values.reduce(0, +) == before, "a refused request queued something")

        let stored: [(String, Int, Int)] = [
            (#"{"jobType":"capped"}"#, 300, 2),
            (#"{"jobType":"capped","timeoutSeconds":30,"maxAttempts":1}"#, 30, 1),
            (#"{"jobType":"stretch","timeoutSeconds":3600}"#, 3600, 1),
            (#"{"jobType":"stretch"}"#, 60, 1),
        ]
        for (body, timeout, attempts) in stored {
            let r = try f.execute(body)
            #expect(r.status == 202, "\(body) → \(r.status) \(r.text)")
            let rec = try #require(try f.store.get(f.executionID(r)))
            #expect(rec.timeoutSeconds == timeout, "\(body)")
            #expect(rec.maxAttempts == attempts, "\(body)")
        }
    }
}
