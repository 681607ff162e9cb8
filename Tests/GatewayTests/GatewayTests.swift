import BatchCore
import FleetAPI
import FleetTestSupport
import Foundation
import HTTP
import Redis
import Store
import Testing
import TestSupport

/// The built `batch-gateway` against a real Redis and fake workers.
struct GatewayFixture {
    let redis: RedisClient
    let namespace: String
    let store: ExecutionStore
    let gateway: DaemonProcess
    let client = HTTPClient(connectTimeout: .seconds(2), requestTimeout: .seconds(30))

    init(_ label: String = #function, config: String = "") throws {
        let server = try RedisServer.shared
        redis = try RedisClient(url: server.url)
        namespace = RedisServer.uniqueNamespace(label)
        store = ExecutionStore(redis: redis, namespace: namespace)
        gateway = try DaemonProcess("batch-gateway", config: """
            [gateway]
            lease = 5s
            dispatch-timeout = 1s
            dispatch-backoff = 50ms
            dispatch-backoff-max = 200ms
            [breaker]
            window-size = 10
            minimum-calls = 4
            wait-in-open = 2s
            half-open-calls = 2
            \(config)
            """, redisURL: server.url, namespace: namespace)
        try gateway.waitReady()
    }

    func worker(_ id: String, mode: FakeWorker.Mode = .run, slots: Int = 64, runFor: Duration = .zero,
                batchEndpoint: Bool = true) throws -> FakeWorker {
        try FakeWorker(id: id, redis: redis, namespace: namespace, mode: mode, slots: slots, runFor: runFor, batchEndpoint: batchEndpoint)
    }

    @discardableResult
    func execute(_ body: String, query: String = "") throws -> HTTPClientResponse {
        try client.request("POST", gateway.url + "/api/orchestration/execute" + query, headers: ["Content-Type": "application/json"],
                           body: Array(body.utf8))
    }

    func executionID(_ r: HTTPClientResponse) throws -> String {
        try JSONDecoder().decode(BatchExecutionResponse.self, from: Data(r.body)).executionId
    }

    /// Waits until the gateway lists the job type (its worker list refreshes every half second).
    func waitForJob(_ job: String = "noop", params: String = "{}") throws {
        let ok = try waitUntil(timeout: .seconds(10), poll: .milliseconds(100)) {
            try execute(#"{"jobType":"\#(job)","params":\#(params),"idempotencyKey":"probe-\#(job)"}"#).status == 202
        }
        if !ok { throw TestSupportError("gateway never saw job type \(job):\n\(gateway.log)") }
    }

    func stop() { gateway.stop() }
}

@Suite(.serialized, .blocking) struct GatewayTests {
    @Test func thousandJobsAllSucceedSpreadOverTheWorkers() throws {
        let f = try GatewayFixture()
        defer { f.stop() }
        let a = try f.worker("wa"), b = try f.worker("wb")
        defer { a.stop(); b.stop() }
        try f.waitForJob()
        var ids: [String] = []
        for _ in 0..<1000 {
            let r = try f.execute(#"{"jobType":"noop"}"#)
            #expect(r.status == 202)
            ids.append(try f.executionID(r))
        }
        let done = try waitUntil(timeout: .seconds(60), poll: .milliseconds(100)) {
            (try f.store.counts()[.succeeded] ?? 0) >= 1001
        }
        let counts = try f.store.counts()
        #expect(done, "\(counts)\n\(f.gateway.log.suffix(3000))")
        #expect(a.receivedCount > 100)
        #expect(b.receivedCount > 100)
        #expect(a.overlaps.load(ordering: .relaxed) == 0)
        for id in ids.prefix(20) { #expect(try f.store.get(id)?.state == .succeeded) }
    }

    /// The single-dispatch fallback was never released, so it is gone: a worker without
    /// `POST /api/batch` fails the call (never a silent requeue), and nothing runs there.
    /// Clients build their requests from GatewayAPI; the gateway must answer each route itself
    /// (an answer of its own, never the router's "no route" 404 or a 405).
    @Test func theGatewayServesEveryRouteGatewayAPIDeclares() throws {
        let f = try GatewayFixture()
        defer { f.stop() }
        for route in GatewayAPI.all + DaemonAPI.all {
            let r = try f.client.request(route.method, f.gateway.url + route.path(every: ExecutionID.make()))
            #expect(r.status != 405 && !(r.status == 404 && r.text.contains("no route for")), "\(route): \(r.status) \(r.text)")
        }
    }

    @Test func aWorkerWithoutTheBatchEndpointFailsTheDispatchAndSaysWhy() throws {
        let f = try GatewayFixture()
        defer { f.stop() }
        let old = try f.worker("old", batchEndpoint: false)
        defer { old.stop() }
        try f.waitForJob()
        #expect(try f.execute(#"{"jobType":"noop"}"#).status == 202)
        let said = waitUntil(timeout: .seconds(30), poll: .milliseconds(100)) {
            f.gateway.log.contains("not a batch-worker of this release")
        }
        #expect(said, "\(f.gateway.log.suffix(3000))")
        #expect(old.receivedCount == 0)
    }

    @Test func aFailingWorkerTripsItsBreakerWhileTheOtherCarriesTheLoad() throws {
        let f = try GatewayFixture()
        defer { f.stop() }
        let good = try f.worker("good"), bad = try f.worker("bad", mode: .fail500)
        defer { good.stop(); bad.stop() }
        try f.waitForJob()
        for _ in 0..<100 { _ = try f.execute(#"{"jobType":"noop"}"#) }
        let done = try waitUntil(timeout: .seconds(30), poll: .milliseconds(100)) { (try f.store.counts()[.succeeded] ?? 0) >= 101 }
        #expect(done, "\(f.gateway.log.suffix(3000))")
        // Once open, the breaker lets no call through: far fewer calls than executions reached the bad worker.
        #expect(bad.callCount < 30)
        let opened = waitUntil(timeout: .seconds(5)) { f.gateway.log.contains("circuit breaker changed") && f.gateway.log.contains("worker=bad") }
        #expect(opened)
        // It recovers: half-open probes succeed and it closes again.
        bad.mode.withLock { $0 = .run }
        let before = bad.receivedCount
        let closed = try waitUntil(timeout: .seconds(20), poll: .milliseconds(100)) {
            _ = try f.execute(#"{"jobType":"noop"}"#)
            return bad.receivedCount > before + 3
        }
        #expect(closed, "\(f.gateway.log.suffix(3000))")
    }

    @Test func badRequestsWriteNothingAndSayWhich() throws {
        let f = try GatewayFixture()
        defer { f.stop() }
        let w = try FakeWorker(id: "w", redis: f.redis, namespace: f.namespace,
                               jobs: [JobType(name: "report", kind: .builtin, builtin: .noop,
                                              params: [try ParamSpec(name: "date", declaration: #"required, pattern ^[0-9]{4}-[0-9]{2}-[0-9]{2}$"#)])])
        defer { w.stop() }
        try f.waitForJob("report", params: #"{"date":"2026-11-24"}"#)
        let before = try f.store.counts().values.reduce(0, +)
        let cases: [(String, String)] = [
            (#"{"jobType":"report"}"#, "date"),
            (#"{"jobType":"report","params":{"date":"2026-13"}}"#, "does not match"),
            (#"{"jobType":"report","params":{"date":"2026-11-24","extra":"x"}}"#, "extra"),
            (#"{"jobType":"nope"}"#, "unknown job type"),
            (#"{"jobType":"report","params":{"date":"2026-11-24"},"priority":42}"#, "priority"),
            (#"{"jobType":"report","params":{"date":"2026-11-24"},"maxAttempts":0}"#, "maxAttempts"),
            (#"{"jobType":"report","params":{"date":"2026-11-24"},"timeoutSeconds":0}"#, "timeoutSeconds"),
            (#"{"jobType":""}"#, "jobType"),
            (#"{"params":{}}"#, "jobType"),
        ]
        for (body, expected) in cases {
            let r = try f.execute(body)
            #expect(r.status == 400, "\(body) → \(r.status) \(r.text)")
            #expect(r.headers["Content-Type"] == "application/problem+json")
            #expect(r.text.contains(expected), "\(body) → \(r.text)")
        }
        #expect(try f.store.counts().values.reduce(0, +) == before)
    }

    @Test func theSameIdempotencyKeyTwiceGivesOneExecution() throws {
        let f = try GatewayFixture()
        defer { f.stop() }
        let w = try f.worker("w")
        defer { w.stop() }
        try f.waitForJob()
        let a = try f.execute(#"{"jobType":"noop","idempotencyKey":"nightly-2026-11-24"}"#)
        let b = try f.execute(#"{"jobType":"noop","idempotencyKey":"nightly-2026-11-24"}"#)
        let ra = try JSONDecoder().decode(BatchExecutionResponse.self, from: Data(a.body))
        let rb = try JSONDecoder().decode(BatchExecutionResponse.self, from: Data(b.body))
        #expect(ra.executionId == rb.executionId)
        #expect(ra.duplicate == false)
        #expect(rb.duplicate == true)
    }

    @Test func waitAnswersWithTheFinalState() throws {
        let f = try GatewayFixture()
        defer { f.stop() }
        let w = try f.worker("w", runFor: .milliseconds(300))
        defer { w.stop() }
        try f.waitForJob()
        let r = try f.execute(#"{"jobType":"noop"}"#, query: "?wait=20")
        #expect(r.status == 200, "\(r.text)")
        #expect(r.text.contains(#""state":"succeeded""#))
        // A short wait that runs out answers 202 with the execution as it stands.
        let short = try f.execute(#"{"jobType":"noop"}"#, query: "?wait=0.05")
        #expect(short.status == 202, "\(short.text)")
        #expect(short.text.contains(#""state":"#) && short.text.contains(#""execution":{"#))
        // Waiting on a known idempotency key waits for the execution made first.
        let first = try f.execute(#"{"jobType":"noop","idempotencyKey":"wait-twice"}"#)
        #expect(first.status == 202)
        let again = try f.execute(#"{"jobType":"noop","idempotencyKey":"wait-twice"}"#, query: "?wait=20")
        #expect(again.status == 200, "\(again.text)")
        #expect(again.text.contains(#""duplicate":true"#) && again.text.contains(#""state":"succeeded""#))
        #expect(try f.executionID(again) == f.executionID(first))
    }

    @Test func cancelWorksInEveryState() throws {
        let f = try GatewayFixture()
        defer { f.stop() }
        // No free worker: the execution stays queued.
        let full = try f.worker("full", mode: .run, slots: 1, runFor: .seconds(20))
        defer { full.stop() }
        try f.waitForJob()
        let runningID = try waitUntilRunning(f)
        let queued = try f.executionID(try f.execute(#"{"jobType":"noop"}"#))
        #expect(try f.store.get(queued)?.state == .queued)
        let c1 = try f.client.request("POST", f.gateway.url + "/api/orchestration/executions/\(queued)/cancel")
        #expect(c1.status == 202)
        #expect(try f.store.get(queued)?.state == .cancelled)
        let c2 = try f.client.request("POST", f.gateway.url + "/api/orchestration/executions/\(runningID)/cancel")
        #expect(c2.status == 202)
        #expect(try f.store.get(runningID)?.state == .cancelling)
        #expect(waitUntil(timeout: .seconds(5)) { full.cancels.withLock { $0.contains(runningID) } })
        let again = try f.client.request("POST", f.gateway.url + "/api/orchestration/executions/\(queued)/cancel")
        #expect(again.status == 202)
        #expect(again.text.contains(#""changed":false"#))
        let unknown = try f.client.request("POST", f.gateway.url + "/api/orchestration/executions/01ARZ3NDEKTSV4RRFFQ69G5FAV/cancel")
        #expect(unknown.status == 404)
    }

    /// The probe execution of `waitForJob` occupies the single slot and runs.
    func waitUntilRunning(_ f: GatewayFixture) throws -> String {
        var id = ""
        let ok = try waitUntil(timeout: .seconds(10)) {
            let page = try f.store.list(state: .running, limit: 5)
            id = page.executions.first?.id ?? ""
            return !id.isEmpty
        }
        if !ok { throw TestSupportError("nothing started running:\n\(f.gateway.log)") }
        return id
    }

    @Test func retryMakesANewExecutionThatPointsBack() throws {
        let f = try GatewayFixture()
        defer { f.stop() }
        let w = try f.worker("w")
        defer { w.stop() }
        try f.waitForJob()
        let id = try f.executionID(try f.execute(#"{"jobType":"noop"}"#))
        #expect(try waitUntil(timeout: .seconds(10)) { try f.store.get(id)?.state == .succeeded })
        let r = try f.client.request("POST", f.gateway.url + "/api/orchestration/executions/\(id)/retry")
        #expect(r.status == 202)
        let newID = try f.executionID(r)
        #expect(newID != id)
        #expect(try f.store.get(newID)?.trigger.retryOf == id)
    }

    @Test func aFullQueueAnswers429AndAdmitsNothing() throws {
        let f = try GatewayFixture(config: "[gateway]\nqueue-limit = 3")
        defer { f.stop() }
        let w = try f.worker("w", mode: .full)
        defer { w.stop() }
        let ok = try waitUntil(timeout: .seconds(10), poll: .milliseconds(100)) { try f.execute(#"{"jobType":"noop"}"#).status == 429 }
        #expect(ok)
        let r = try f.execute(#"{"jobType":"noop"}"#)
        #expect(r.status == 429)
        #expect(r.text.contains("queue"))
        #expect(r.headers["Retry-After"] == "5", "the man page promises a Retry-After header on 429")
    }
}
