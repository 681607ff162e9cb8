import BatchCore
import FleetTestSupport
import Foundation
import HTTP
import Store
import Testing
import TestSupport

/// Idempotency keys are bound to their request, and the schedulers' key space and trigger
/// sources are not for clients: through the built gateway.
@Suite(.serialized, .blocking) struct IdempotencyBindingTests {
    static let jobs = [
        JobType(name: "noop", kind: .builtin, builtin: .noop),
        JobType(name: "report", kind: .builtin, builtin: .noop, params: [ParamSpec(name: "date"), ParamSpec(name: "file")]),
    ]

    func problem(_ r: HTTPClientResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any])
    }

    @Test func aKeyReusedWithAnotherRequestIsAConflictNamingTheExistingExecution() throws {
        let f = try GatewayFixture()
        defer { f.stop() }
        let w = try FakeWorker(id: "w", redis: f.redis, namespace: f.namespace, mode: .full, jobs: Self.jobs)
        defer { w.stop() }
        try f.waitForJob("report")
        let first = try f.execute(#"{"jobType":"report","params":{"date":"2026-11-24"},"idempotencyKey":"k1"}"#)
        #expect(first.status == 202)
        let id = try f.executionID(first)
        // The same request again (a retry after a lost answer): the same execution.
        let again = try f.execute(#"{"jobType":"report","params":{"date":"2026-11-24"},"idempotencyKey":"k1","priority":5}"#)
        #expect(again.status == 202)
        let dup = try JSONDecoder().decode(BatchExecutionResponse.self, from: Data(again.body))
        #expect(dup.executionId == id && dup.duplicate)
        let before = try f.store.counts().values.reduce(0, +)
        for body in [#"{"jobType":"report","params":{"date":"2026-11-25"},"idempotencyKey":"k1"}"#,
                     #"{"jobType":"noop","idempotencyKey":"k1"}"#,
                     #"{"jobType":"report","params":{"date":"2026-11-24"},"idempotencyKey":"k1","priority":9}"#,
                     #"{"jobType":"report","params":{"date":"2026-11-24"},"idempotencyKey":"k1","maxAttempts":1}"#] {
            let r = try f.execute(body)
            #expect(r.status == 409, "\(body) → \(r.status) \(r.text)")
            #expect(r.headers["Content-Type"] == "application/problem+json")
            let p = try problem(r)
            #expect(p["type"] as? String == "urn:batch:problem:idempotency-key-reused")
            #expect((p["detail"] as? String)?.contains(id) == true, "\(r.text)")
            #expect(p["existingExecution"] as? String == id)
        }
        #expect(try f.store.counts().values.reduce(0, +) == before)
    }

    @Test func clientsCannotTakeAFiresPlaceNorPoseAsAScheduleOrARetry() throws {
        let f = try GatewayFixture()
        defer { f.stop() }
        let w = try FakeWorker(id: "w", redis: f.redis, namespace: f.namespace, mode: .full, jobs: Self.jobs)
        defer { w.stop() }
        try f.waitForJob("report")
        let schedules = ScheduleStore(redis: f.redis, namespace: f.namespace)
        let ms: Int64 = 1_800_000_000_000
        let fire = BatchExecutionRequest(jobType: "report", params: ["date": .string("2027-01-15")], idempotencyKey: "schedule:nightly:\(ms)",
                                         priority: 5, trigger: Trigger(source: "schedule", schedule: "nightly", fireTime: "2027-01-15T08:00:00Z"))
        func post(_ r: BatchExecutionRequest) throws -> HTTPClientResponse { try f.execute(String(decoding: try JSONEncoder().encode(r), as: UTF8.self)) }
        let before = try f.store.counts().values.reduce(0, +)
        var impostor = fire
        impostor.params = ["date": .string("2027-01-15"), "file": .string("/etc/shadow")]
        // Before any scheduler claimed the fire: the fire's own request and an impostor's are both refused.
        for r in [fire, impostor] {
            let answer = try post(r)
            #expect(answer.status == 403, "\(answer.status) \(answer.text)")
            #expect(try problem(answer)["type"] as? String == "urn:batch:problem:trigger-reserved")
        }
        // The shape rules: the key and the source go together, and a client may not claim to be a retry.
        let shapes = [
            #"{"jobType":"noop","idempotencyKey":"schedule:nightly:1800000000000"}"#,
            #"{"jobType":"noop","idempotencyKey":"schedule:other:1800000000000","trigger":{"source":"schedule","schedule":"nightly"}}"#,
            #"{"jobType":"noop","trigger":{"source":"schedule","schedule":"nightly"}}"#,
            #"{"jobType":"noop","trigger":{"source":"retry"}}"#,
            #"{"jobType":"noop","trigger":{"source":"api","retryOf":"01HZZZZZZZZZZZZZZZZZZZZZZZ"}}"#,
        ]
        for body in shapes {
            let r = try f.execute(body)
            #expect(r.status == 403, "\(body) → \(r.status) \(r.text)")
        }
        // A scheduler claims the fire and binds it to its request: an impostor's differing request is
        // still refused, and the fire itself goes in.
        #expect(try schedules.claimFire(schedule: "nightly", epochMillis: ms, owner: "claimed:sched-1", ttlSeconds: 600))
        #expect(try schedules.bindFire(schedule: "nightly", epochMillis: ms, owner: "sched-1", fingerprint: fire.fingerprint))
        let refused = try post(impostor)
        #expect(refused.status == 403, "\(refused.text)")
        #expect(try f.store.counts().values.reduce(0, +) == before, "a refused request queued something")
        let delivered = try post(fire)
        #expect(delivered.status == 202, "\(delivered.text)")
        let rec = try #require(try f.store.get(f.executionID(delivered)))
        #expect(rec.params == ["date": "2027-01-15"] && rec.trigger.source == "schedule")
        // Redelivered: the same execution; the impostor now meets the bound key.
        #expect(try JSONDecoder().decode(BatchExecutionResponse.self, from: Data(post(fire).body)).duplicate)
        #expect(try post(impostor).status == 409)
    }

    @Test func aNULInAParameterIsRefusedNamingIt() throws {
        let f = try GatewayFixture()
        defer { f.stop() }
        let w = try FakeWorker(id: "w", redis: f.redis, namespace: f.namespace, mode: .full, jobs: Self.jobs)
        defer { w.stop() }
        try f.waitForJob("report")
        let r = try f.execute(#"{"jobType":"report","params":{"file":"secret.key\u0000.csv"}}"#)
        #expect(r.status == 400)
        #expect(r.text.contains("file") && r.text.contains("U+0000"), "\(r.text)")
    }

    @Test func badBodiesSayWhatIsWrong() throws {
        let f = try GatewayFixture()
        defer { f.stop() }
        let long = String(repeating: "j", count: 100)
        let w = try FakeWorker(id: "w", redis: f.redis, namespace: f.namespace, mode: .full,
                               jobs: Self.jobs + [JobType(name: long, kind: .builtin, builtin: .noop)])
        defer { w.stop() }
        try f.waitForJob("report")
        // A job name of 65–128 characters is valid in config and in requests alike.
        #expect(try f.execute(#"{"jobType":"\#(long)"}"#).status == 202)
        let before = try f.store.counts().values.reduce(0, +)
        let cases: [([UInt8], String)] = [
            (Array(#"{"jobType":"noop","jobType":"report"}"#.utf8), "the key \\\"jobType\\\" appears twice"),
            (Array(#"{"jobType":"report","params":{"date":"a","date":"b"}}"#.utf8), "the key \\\"date\\\" appears twice"),
            (Array(#"{"jobType":"no"#.utf8) + [0xC3, 0x28] + Array(#"op"}"#.utf8), "not valid UTF-8 (byte offset 14)"),
            (Array("5.5".utf8), "expected a JSON object, found a number"),
        ]
        for (body, expected) in cases {
            let r = try f.client.request("POST", f.gateway.url + "/api/orchestration/execute", headers: ["Content-Type": "application/json"], body: body)
            #expect(r.status == 400, "\(r.status) \(r.text)")
            #expect(r.text.contains(expected), "\(r.text)")
        }
        #expect(try f.store.counts().values.reduce(0, +) == before)
    }
}
