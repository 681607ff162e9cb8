import BatchCore
import Foundation
import Store
import Testing
import Terminal
import TestSupport
@testable import Console

/// Changes go through a real `batch-gateway` (started for the test on a free port,
/// against the test's own namespace), found through its registration in Redis.
@Suite(.blocking) struct LiveGatewayTests {
    struct Setup {
        let fixture: LiveFixture
        let gateway: DaemonProcess

        init(config: String = "", label: String = #function) throws {
            fixture = try LiveFixture(label)
            gateway = try DaemonProcess("batch-gateway", config: config, redisURL: fixture.server.url, namespace: fixture.namespace)
            do {
                try gateway.waitReady()
                let source = fixture.dataSource()
                guard try waitUntil(timeout: .seconds(10), { try !source.gatewayURLs().isEmpty }) else {
                    throw TestSupportError("the gateway did not register in Redis:\n\(gateway.log)")
                }
            } catch {
                gateway.stop()
                throw error
            }
        }
    }

    @Test func triggerWithoutAnyWorkerReportsTheGatewaysProblem() throws {
        let s = try Setup()
        defer { s.gateway.stop() }
        let source = s.fixture.dataSource()
        #expect(try source.gatewayURLs() == [s.gateway.url])
        let e = #expect(throws: ConsoleError.self) { _ = try source.trigger(job: "sleep", params: ["seconds": "1"]) }
        guard case .gateway(let text)? = e else { Issue.record("unexpected \(String(describing: e))"); return }
        #expect(text.contains(s.gateway.url))
        #expect(text.contains("503"))
        #expect(text.contains("no live worker"))
        #expect(try s.fixture.executions.counts().values.reduce(0, +) == 0)
    }

    @Test func theTriggerProblemReachesTheConsolesStatusLine() throws {
        let s = try Setup()
        defer { s.gateway.stop() }
        let sampler = Sampler(s.fixture.dataSource())
        sampler.perform(.trigger(job: "sleep", params: [:]))
        sampler.drainQueue()
        var state = ConsoleState(view: .executions, size: Size(rows: 24, cols: 80))
        for m in sampler.take() { state.apply(m) }
        let message = try #require(state.message)
        #expect(message.isError)
        #expect(message.text.contains("trigger sleep failed"))
        #expect(message.text.contains("503"))
    }

    @Test func cancelAndRetryGoThroughTheGatewayAsTheOperator() throws {
        let s = try Setup()
        defer { s.gateway.stop() }
        let f = s.fixture
        let id = try f.executions.create(NewExecution(job: "report", params: ["date": "2026-11-25"]), queueLimit: 0).id
        let source = f.dataSource(user: "alice")
        try source.cancel(id: id)
        let cancelled = try #require(try f.executions.get(id))
        #expect(cancelled.state == .cancelled)
        #expect(cancelled.cancelledBy == "alice")
        let audit = try f.executions.recentEvents(count: 10, audit: true)
        #expect(audit.contains { $0.fields["action"] == "cancel" && $0.fields["user"] == "alice" && $0.fields["source"] == "batchtop" })
        try source.cancel(id: id)  // idempotent

        let again = try source.retry(id: id)
        #expect(again != id)
        let retried = try #require(try f.executions.get(again))
        #expect(retried.state == .queued)
        #expect(retried.job == "report")
        #expect(retried.params == ["date": "2026-11-25"])
        #expect(retried.trigger.retryOf == id)
        #expect(retried.trigger.user == "alice")
        #expect(retried.trigger.source == "batchtop")
    }

    @Test func refusalsCarryTheGatewaysDetail() throws {
        let s = try Setup()
        defer { s.gateway.stop() }
        let f = s.fixture
        let source = f.dataSource()
        let queued = try f.executions.create(NewExecution(job: "report", params: [:]), queueLimit: 0).id
        let conflict = #expect(throws: ConsoleError.self) { _ = try source.retry(id: queued) }
        #expect(conflict?.description.contains("409") == true)
        #expect(conflict?.description.contains("only a terminal execution can be retried") == true)
        let missing = #expect(throws: ConsoleError.self) { try source.cancel(id: "01JNOSUCHEXECUTION00000000") }
        #expect(missing?.description.contains("404") == true)
    }

    @Test func aGatewayTokenIsSentWhenConfigured() throws {
        let dir = try makeTemporaryDirectory("batchtop-token")
        defer { removeTree(dir) }
        try "s3cret\n".write(toFile: dir + "/token", atomically: true, encoding: .utf8)
        let s = try Setup(config: "[http]\ntoken-file = \(dir)/token\n")
        defer { s.gateway.stop() }
        let f = s.fixture
        let id = try f.executions.create(NewExecution(job: "report", params: [:]), queueLimit: 0).id
        let refused = #expect(throws: ConsoleError.self) { try f.dataSource().cancel(id: id) }
        #expect(refused?.description.contains("401") == true, "\(String(describing: refused))")
        #expect(try f.executions.get(id)?.state == .queued)
        let withToken = StoreDataSource(redis: f.redis, namespace: f.namespace,
                                        settings: .init(token: try StoreDataSource.readToken(dir + "/token"), user: "ops"))
        try withToken.cancel(id: id)
        #expect(try f.executions.get(id)?.state == .cancelled)
    }

    @Test func noGatewayMeansASayingError() throws {
        let f = try LiveFixture()
        #expect(throws: ConsoleError.gateway("no live gateway is registered in Redis; start batch-gateway or give --gateway URL")) {
            try f.dataSource().cancel(id: "01JNOSUCHEXECUTION00000000")
        }
        let port = freeTCPPort()
        let e = #expect(throws: ConsoleError.self) { try f.dataSource(gateway: "http://127.0.0.1:\(port)").cancel(id: "01JNOSUCHEXECUTION00000000") }
        #expect(e?.description.contains("no gateway could be reached") == true)
        #expect(e?.description.contains("127.0.0.1:\(port)") == true)
    }

    @Test func aTriggeredJobRunsOnARealWorkerAndTheMetersShowIt() throws {
        let f = try LiveFixture()
        let gateway = try DaemonProcess("batch-gateway", config: "", redisURL: f.server.url, namespace: f.namespace)
        defer { gateway.stop() }
        let worker = try DaemonProcess("batch-worker", config: "[job \"sleep\"]\nkind = builtin\nbuiltin = sleep\nparam.seconds = int 0..60, default 1\n",
                                       redisURL: f.server.url, namespace: f.namespace)
        defer { worker.stop() }
        try gateway.waitReady()
        try worker.waitReady()
        let source = f.dataSource(user: "ops")
        // The gateway learns the worker's job types from Redis within a refresh or two.
        var id: String?
        _ = waitUntil(timeout: .seconds(20), poll: .milliseconds(200)) {
            id = try? source.trigger(job: "sleep", params: ["seconds": "0"])
            return id != nil
        }
        let triggered = try #require(id, "the gateway never accepted the trigger:\n\(gateway.log)")
        let ended = try waitUntil(timeout: .seconds(30)) { try f.executions.get(triggered)?.state.isTerminal == true }
        #expect(ended, "\(triggered) did not end:\n\(worker.log)")
        let snap = try source.snapshot(filter: nil, limit: 10)
        #expect(snap.executions.first { $0.id == triggered }?.state == .succeeded)
        #expect(snap.meters.workersUp == 1)
        #expect(snap.meters.slots > 0)
        #expect(snap.meters.successRate == 1)
        #expect(snap.meters.p95RunSeconds != nil)
        #expect(snap.workers.first?.jobTypes == ["sleep"])
        #expect(try source.jobTypes() == [JobTypeInfo(name: "sleep", params: [ParamInfo(name: "seconds", defaultValue: "1", typeHint: "int 0..60")])])
        let detail = try source.detail(id: triggered)
        #expect(detail.attempts.last?.outcome?.hasPrefix("succeeded") == true)
        #expect(detail.trigger == "batchtop by ops")
    }

    @Test func runningAScheduleNowSendsItsJobAndFilledParametersThroughTheGateway() throws {
        let s = try Setup()
        defer { s.gateway.stop() }
        let f = s.fixture
        // A worker that serves report, at an address that refuses at once: nothing runs, the gateway only admits.
        let report = JobType(name: "report", params: [ParamSpec(name: "date", type: .pattern("[0-9]{4}-[0-9]{2}-[0-9]{2}"), required: true)])
        let beat = {
            try f.fleet.heartbeat(id: LiveFixture.worker, fields: ["role": "worker", "host": "box1", "address": "http://127.0.0.1:1", "slots": "1"])
            try f.fleet.registerJobs(worker: LiveFixture.worker, jobs: ["report": String(decoding: try JSONEncoder().encode(report), as: UTF8.self)])
        }
        let nightly = ScheduleDefinition(name: "nightly-report", job: "report", trigger: .cron("0 0 2 * * *"), zone: "Asia/Seoul",
                                         params: ["date": "{fire-date}"], priority: 7)
        let source = StoreDataSource(redis: f.redis, namespace: f.namespace,
                                     settings: .init(user: "alice", schedules: ["nightly-report": nightly], configFiles: ["/etc/batch/batch.conf"]))
        var id: String?
        var last: (any Error)?
        _ = waitUntil(timeout: .seconds(20), poll: .milliseconds(200)) {
            try? beat()
            do { id = try source.triggerSchedule(name: "nightly-report") } catch { last = error }
            return id != nil
        }
        let triggered = try #require(id, "the gateway never accepted the schedule's run: \(String(describing: last))")
        let rec = try #require(try f.executions.get(triggered))
        #expect(rec.job == "report")
        #expect(rec.priority == 7)
        #expect(rec.params["date"]?.wholeMatch(of: /[0-9]{4}-[0-9]{2}-[0-9]{2}/) != nil, "\(rec.params)")
        #expect(rec.trigger.schedule == "nightly-report")
        #expect(rec.trigger.source == "batchtop")
        #expect(rec.trigger.user == "alice")
        #expect(rec.trigger.fireTime?.hasSuffix("+09:00") == true, "\(String(describing: rec.trigger.fireTime))")

        let e = #expect(throws: ConsoleError.self) { _ = try source.triggerSchedule(name: "every-minute") }
        #expect(e?.description.contains("/etc/batch/batch.conf") == true && e?.description.contains("--config") == true)
    }
}
