import BatchCore
import FleetAPI
import FleetTestSupport
import Foundation
import HTTP
import Store
import Testing
import TestSupport

/// Pausing a job type's dispatch for every gateway: its executions are accepted and wait
/// queued while other job types run; resuming lets them go.
@Suite(.blocking) struct JobPauseTests {
    func pause(_ f: GatewayFixture, _ job: String, _ paused: Bool) throws -> GatewayAPI.JobPauseAnswer {
        let route = paused ? GatewayAPI.pauseJob : GatewayAPI.resumeJob
        let r = try f.client.request("POST", f.gateway.url + route.path(job), headers: ["X-Batch-User": "op"])
        #expect(r.status == 200, "\(r.text)")
        return try JSONDecoder().decode(GatewayAPI.JobPauseAnswer.self, from: Data(r.body))
    }

    @Test func aPausedJobTypeWaitsQueuedWhileOthersRunAndGoesWhenResumed() throws {
        let f = try GatewayFixture()
        defer { f.stop() }
        let w = try FakeWorker(id: "w", redis: f.redis, namespace: f.namespace,
                               jobs: [JobType(name: "noop", kind: .builtin, builtin: .noop), JobType(name: "other", kind: .builtin, builtin: .noop)])
        defer { w.stop() }
        try f.waitForJob()
        try f.waitForJob("other")
        #expect(try pause(f, "noop", true) == GatewayAPI.JobPauseAnswer(job: "noop", paused: true, changed: true))
        #expect(try pause(f, "noop", true).changed == false, "a second pause changes nothing")
        #expect(try f.store.pausedJobs().map(\.job) == ["noop"])
        let held = try f.executionID(try f.execute(#"{"jobType":"noop"}"#))
        let other = try f.executionID(try f.execute(#"{"jobType":"other"}"#))
        #expect(try waitUntil(timeout: .seconds(10)) { try f.store.get(other)?.state == .succeeded })
        // The dispatchers ran the other one, queued after it: the paused one was passed over.
        #expect(try f.store.get(held)?.state == .queued)
        #expect(try pause(f, "noop", false).changed)
        #expect(try waitUntil(timeout: .seconds(10)) { try f.store.get(held)?.state == .succeeded })
        let actions = try f.store.recentEvents(count: 100, audit: true).compactMap { $0[.action] }
        #expect(actions.filter { $0 == "pause-job" }.count == 2 && actions.contains("resume-job"), "\(actions)")
    }

    @Test func aJobTypeNameThatCannotBeIsRefused() throws {
        let f = try GatewayFixture()
        defer { f.stop() }
        let r = try f.client.request("POST", f.gateway.url + GatewayAPI.pauseJob.path("bad name!"))
        #expect(r.status == 400 && r.text.contains(#""field":"job""#), "\(r.text)")
    }
}
