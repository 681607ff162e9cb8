import BatchCore
import Daemon
import Foundation
import Redis
import Store
import Testing
import TestSupport
@testable import Worker

/// The runtime in this process, against a real Redis, without HTTP.
@Suite(.serialized, .blocking)
struct WorkerRuntimeTests {
    final class Weak: @unchecked Sendable {
        // Only read after the attempt ended, from the test's thread.
        weak var attempt: Attempt?
    }

    static func runtime(_ namespace: String) throws -> (WorkerRuntime, ExecutionStore) {
        let server = try RedisServer.shared
        var config = try Configuration.parse(text: """
            [job "sleep"]
            kind = builtin
            builtin = sleep
            param.seconds = int 0..3600, default 1

            [job "hold"]
            command = /bin/sleep 60

            [job "chatty"]
            command = /bin/sh -c 'while :; do echo tick; sleep 0.05; done'
            """)
        config.worker.killGrace = .milliseconds(200)
        let redis = try RedisClient(url: server.url)
        let store = ExecutionStore(redis: redis, namespace: namespace)
        let rt = try WorkerRuntime(id: "worker-runtime-test", configuration: config, store: store,
                                   fleet: FleetRegistry(redis: redis, namespace: namespace),
                                   logger: Logger(label: "test", threshold: .error), metrics: MetricsRegistry())
        return (rt, store)
    }

    @Test(arguments: [("sleep", ["seconds": "60"]), ("hold", [:])])
    func endedAttemptIsReleased(_ job: String, _ params: [String: String]) throws {
        let (rt, store) = try Self.runtime(RedisServer.uniqueNamespace())
        _ = try store.create(NewExecution(job: job, params: params), queueLimit: 1000)
        let c = try #require(try store.claim(allowed: [job: 0], leaseMillis: 10_000, gateway: "g"))
        let r = try rt.dispatch(jobType: job, request: WorkerDispatchRequest(executionId: c.id, attempt: c.attempt, params: c.params,
                                                                            timeoutSeconds: c.timeoutSeconds, leaseMs: 10_000))
        #expect(r.status == "running")
        let weak = Weak()
        weak.attempt = rt.attempt(c.id)
        #expect(weak.attempt != nil)
        #expect(rt.cancel(c.id))
        #expect(waitUntil(timeout: .seconds(5)) { (try? store.get(c.id))?.state == .cancelled })
        #expect(waitUntil(timeout: .seconds(5)) { rt.runningCount == 0 })
        // Nothing (a pending sleep timer, a finished process's callbacks) keeps the attempt and its output alive.
        #expect(waitUntil(timeout: .seconds(2)) { weak.attempt == nil })
        #expect(rt.result(of: c.id)?.status == "cancelled")
    }

    @Test func drainingRefusesNewWork() async throws {
        let (rt, store) = try Self.runtime(RedisServer.uniqueNamespace())
        await rt.drain()
        _ = try store.create(NewExecution(job: "sleep", params: [:]), queueLimit: 1000)
        let c = try #require(try store.claim(allowed: ["sleep": 0], leaseMillis: 10_000, gateway: "g"))
        #expect(throws: DispatchError.self) {
            try rt.dispatch(jobType: "sleep", request: WorkerDispatchRequest(executionId: c.id, attempt: c.attempt, params: [:],
                                                                            timeoutSeconds: 60, leaseMs: 10_000))
        }
        do {
            _ = try rt.dispatch(jobType: "sleep", request: WorkerDispatchRequest(executionId: c.id, attempt: c.attempt, params: [:],
                                                                                timeoutSeconds: 60, leaseMs: 10_000))
        } catch {
            #expect(error.status == 503)
        }
        #expect(try store.get(c.id)?.state == .dispatched)
    }

    @Test func lostLeaseKillsTheJobAndWritesNothing() throws {
        let (rt, store) = try Self.runtime(RedisServer.uniqueNamespace())
        _ = try store.create(NewExecution(job: "chatty", params: [:]), queueLimit: 1000)
        let c = try #require(try store.claim(allowed: ["chatty": 0], leaseMillis: 10_000, gateway: "g"))
        _ = try rt.dispatch(jobType: "chatty", request: WorkerDispatchRequest(executionId: c.id, attempt: c.attempt, params: [:],
                                                                             timeoutSeconds: c.timeoutSeconds, leaseMs: 10_000))
        let a = try #require(rt.attempt(c.id))
        let process = try #require(a.state.withLock { $0.handle } as? RunningProcess)
        #expect(isAlive(process.pid))
        // Output is waiting to be written (no loop runs in this test, so nothing flushes it).
        #expect(waitUntil(timeout: .seconds(5)) { a.state.withLock { $0.output.hasWork } })
        // Someone else takes the attempt away (here: handed back to the queue), so the lease is gone.
        #expect(try store.requeue(id: c.id, attempt: c.attempt, worker: nil) == .queued)
        let before = try #require(try store.get(c.id))
        rt.renewLeases()
        #expect(waitUntil(timeout: .seconds(2)) { !isAlive(process.pid) })
        #expect(waitUntil(timeout: .seconds(5)) { rt.runningCount == 0 })
        let after = try #require(try store.get(c.id))
        #expect(after.state == .queued)
        #expect(after.updated == before.updated)
        #expect(after.history == before.history)
        #expect(rt.result(of: c.id)?.status == "lost")
        #expect(try store.logTail(c.id).isEmpty)
        #expect(rt.metrics.leasesLost.labels("lost").value == 1)
    }
}
