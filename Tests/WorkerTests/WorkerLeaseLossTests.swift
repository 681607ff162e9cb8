import BatchCore
import Foundation
import Glibc
import Store
import Testing
import TestSupport

/// Promise 2 of DESIGN.md §4: a worker that cannot renew its lease kills the
/// child and writes nothing for that attempt, even once Redis is back.
@Suite(.serialized, .blocking)
struct WorkerLeaseLossTests {
    @Test func workerThatLosesRedisKillsItsChildAndWritesNothingAfterwards() throws {
        let server = try RedisServer.start()
        defer { server.stop() }
        let redisPID = try #require(server.pid)
        let h = try WorkerHarness(jobs: commonJobs, redisLines: "connect-timeout = 200ms\nread-timeout = 200ms", server: server)
        defer { h.stop() }
        let leaseMs = 2_000
        let (c, _) = try h.run(job: "hold", leaseMs: leaseMs)
        let pid = try #require(h.printedPID(c.id))
        let before = try #require(try h.store.get(c.id))
        #expect(before.state == .running)
        let logBefore = try h.store.logTail(c.id)

        // Redis stops answering (as a hung or partitioned server would).
        #expect(kill(redisPID, SIGSTOP) == 0)
        var resumed = false
        defer { if !resumed { kill(redisPID, SIGCONT) } }
        let clock = ContinuousClock()
        let stoppedAt = clock.now
        #expect(waitUntil(timeout: .seconds(5)) { !isAlive(pid) }, "the child outlived the lease")
        // Keep Redis away past the lease, so that nothing queued during the stall can still be accepted.
        let past = stoppedAt + .milliseconds(leaseMs + 500)
        _ = waitUntil(timeout: .seconds(5)) { clock.now >= past }
        #expect(kill(redisPID, SIGCONT) == 0)
        resumed = true

        // Once Redis is back the worker writes nothing for that attempt.
        let changed = waitUntil(timeout: .seconds(2)) {
            guard let now = try? h.store.get(c.id) else { return false }
            return now.state != .running || now.ended != nil || now.attempt != before.attempt
                || (try? h.store.logTail(c.id)) != logBefore
        }
        #expect(!changed)
        let after = try #require(try h.store.get(c.id))
        #expect(after.state == .running)
        #expect(after.ended == nil)
        #expect(after.exitCode == nil)
        let metrics = try h.http.get("\(h.baseURL)/metrics").text
        #expect(metrics.contains(#"batch_worker_leases_lost_total{reason="abandoned"} 1"#))
        #expect(metrics.contains("batch_worker_running{job=\"hold\"} 0"))
        // The worker is free again: its slot came back.
        let next = try h.seed(job: "hold", leaseMs: 10_000)
        #expect(try h.dispatch(next).status == 202)
        _ = try h.http.request("POST", "\(h.baseURL)/api/batch/executions/\(next.id)/cancel")
        #expect(h.waitForTerminal(next.id)?.state == .cancelled)
    }
}
