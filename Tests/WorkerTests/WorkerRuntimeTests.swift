import BatchCore
import Daemon
import Foundation
import Redis
import Store
import Testing
import TestSupport
@testable import Worker

/// The runtime in this process, against a real Redis, without HTTP.
@Suite(.serialized)
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
                                                                            timeoutSeconds: 600, leaseMs: 10_000))
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
}
