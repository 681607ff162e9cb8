import BatchCore
import Foundation
import Redis
import Store
import TestSupport
import Testing

/// A built scheduler that finds its gateway in Redis and keeps fires the gateway refuses.
@Suite(.serialized)
struct SchedulerDeliveryTests {
    @Test func findsTheGatewayInRedisAndDeliversLateWhatItCouldNotDeliverOnTime() throws {
        let server = try RedisServer.shared
        let gateway = try FakeGateway()
        defer { gateway.stop() }
        let procs = try SchedulerProcesses(
            config: SchedulerProcesses.config(gateways: [], schedules: SchedulerControlTests.schedule("a")),
            redisURL: server.url, namespace: RedisServer.uniqueNamespace())
        var keepLogs = true
        defer { procs.cleanUp(keep: keepLogs) }
        let scheduler = try procs.start(id: "solo", port: freeTCPPort())
        defer { scheduler.terminate(grace: .seconds(5)) }
        let redis = try RedisClient(url: server.url)
        let fleet = FleetRegistry(redis: redis, namespace: procs.namespace)
        let store = ScheduleStore(redis: redis, namespace: procs.namespace)
        // Registered as the gateways register themselves; kept alive while the test polls.
        func beat() { _ = try? fleet.heartbeat(id: "gateway-test", fields: ["role": "gateway", "address": gateway.url]) }
        func fires() -> [Int64] { SchedulerFleetTests.fires(gateway.executions.keys)["a"].map { $0.sorted() } ?? [] }

        #expect(waitUntil(timeout: .seconds(30)) { beat(); return fires().count >= 2 }, "no fire reached the registered gateway")
        // The gateway refuses everything (503) for four seconds: fires are kept, not dropped.
        gateway.answer(503)
        let outage = try fleet.redisTime()
        _ = waitUntil(timeout: .seconds(20)) { beat(); return ((try? fleet.redisTime()) ?? 0) >= outage + 4000 }
        #expect(waitUntil(timeout: .seconds(10)) { (SchedulerControlTests.status(store, "a")?.pending ?? 0) > 0 })
        gateway.answer(202)
        let back = try fleet.redisTime()
        #expect(waitUntil(timeout: .seconds(60)) {
            beat()
            let f = Set(fires())
            guard let first = f.min() else { return false }
            return stride(from: first, through: back / 1000 * 1000, by: 1000).allSatisfy { f.contains($0) }
        }, "fires of the outage were not all delivered late")
        #expect(waitUntil(timeout: .seconds(10)) { beat(); return SchedulerControlTests.status(store, "a")?.pending == 0 })
        let duringOutage = fires().filter { $0 > outage + 1000 && $0 < back }
        #expect(duringOutage.count >= 2)
        keepLogs = false
    }
}
