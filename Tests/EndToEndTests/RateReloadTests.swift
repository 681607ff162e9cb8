import BatchCore
import Foundation
import Glibc
import Redis
import Store
import Testing
import TestSupport

/// A job type's rate, changed in a real worker's configuration and reloaded, counts in a real gateway.
@Suite(.serialized, .blocking) struct RateReloadTests {
    static func job(rate: String) -> String { "[job \"r\"]\nkind = builtin\nbuiltin = noop\nrate = \(rate)\n" }

    @Test func aRateChangedByAWorkerReloadTakesEffectAndTheWaitingWorkGoes() throws {
        let redis = try RedisServer.shared
        let ns = RedisServer.uniqueNamespace()
        let worker = try reloadableWorker(id: "w-rate", namespace: ns, jobs: ["r.conf": Self.job(rate: "1/1h")])
        defer { _ = worker.stop() }
        let gateway = try DaemonProcess("batch-gateway", config: "", redisURL: redis.url, namespace: ns)
        defer { _ = gateway.stop() }
        try worker.waitReady()
        try gateway.waitReady()
        let client = try RedisClient(url: redis.url)
        defer { client.close() }
        let store = ExecutionStore(redis: client, namespace: ns)
        let ids = try (0..<3).map { _ in try store.create(NewExecution(job: "r", params: [:]), queueLimit: 0).id }
        // One token an hour: the first goes, the others wait, rate-limited.
        var states: [ExecutionState?] = []
        #expect(try waitUntil(timeout: .seconds(15)) {
            states = try store.getMany(ids).map { $0?.state }
            let limited = try store.rateLimited(since: 0)
            return states.filter { $0 == .succeeded }.count == 1 && limited.first?.rate?.count == 1
        }, "\(states)\n\(gateway.log)")
        #expect(states.filter { $0 == .queued }.count == 2)

        try Self.job(rate: "100/1s").write(toFile: worker.directory + "/jobs.d/r.conf", atomically: true, encoding: .utf8)
        worker.process.signal(SIGHUP)
        #expect(try waitUntil(timeout: .seconds(15)) {
            states = try store.getMany(ids).map { $0?.state }
            return states.allSatisfy { $0 == .succeeded }
        }, "\(states)\n\(worker.log)\n\(gateway.log)")
    }
}
