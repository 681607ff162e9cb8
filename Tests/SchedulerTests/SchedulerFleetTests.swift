import BatchCore
import Foundation
import Redis
import Schedule
import Store
import TestSupport
import Testing

/// Built `batch-scheduler` processes against a real Redis and a fake gateway.
/// `BATCH_SCHEDULER_FLEET_SECONDS` and `BATCH_SCHEDULER_FLEET_SCHEDULES` lengthen
/// the run (bench/scheduler runs 20 schedules for 120 s).
@Suite(.serialized, .blocking)
struct SchedulerFleetTests {
    static let env = ProcessInfo.processInfo.environment

    /// The schedulers registered as live, by id, with their `leader` field.
    static func leaders(_ fleet: FleetRegistry) -> [String] {
        ((try? fleet.live(within: .seconds(3)).daemons) ?? []).filter { $0.role == "scheduler" && $0.fields["leader"] == "1" }.map(\.id)
    }

    /// Fire instants (ms) received per schedule, from the idempotency keys.
    static func fires(_ keys: some Sequence<String>) -> [String: Set<Int64>] {
        var out: [String: Set<Int64>] = [:]
        for key in keys {
            let parts = key.split(separator: ":")
            guard parts.count == 3, parts[0] == "schedule", let ms = Int64(parts[2]) else { continue }
            out[String(parts[1]), default: []].insert(ms)
        }
        return out
    }

    @Test func threeSchedulersFireEveryScheduleEverySecondExactlyOnceThroughAKill() throws {
        let seconds = Int64(Self.env["BATCH_SCHEDULER_FLEET_SECONDS"] ?? "") ?? 20
        let count = Int(Self.env["BATCH_SCHEDULER_FLEET_SCHEDULES"] ?? "") ?? 20
        let server = try RedisServer.shared
        let namespace = RedisServer.uniqueNamespace()
        let gateway = try FakeGateway()
        defer { gateway.stop() }
        let procs = try SchedulerProcesses(config: SchedulerProcesses.config(gateways: [gateway.url],
                                                                             schedules: SchedulerProcesses.everySecond(count)),
                                           redisURL: server.url, namespace: namespace)
        var keepLogs = true
        defer { procs.cleanUp(keep: keepLogs) }
        let ids = ["sched-a", "sched-b", "sched-c"]
        let ports = ids.map { _ in freeTCPPort() }
        var running = try zip(ids, ports).map { try procs.start(id: $0, port: $1) }
        defer { for p in running { p.terminate(grace: .seconds(5)) } }
        let redis = try RedisClient(url: server.url)
        let fleet = FleetRegistry(redis: redis, namespace: namespace)
        let store = ScheduleStore(redis: redis, namespace: namespace)

        #expect(waitUntil(timeout: .seconds(30)) { !gateway.received.isEmpty }, "no fire reached the gateway")
        let firstFire = gateway.received.compactMap { $0.request.trigger?.fireTime }.first
        let startMs = try fleet.redisTime()
        let killAt = startMs + seconds * 1000 / 3
        let endMs = startMs + seconds * 1000

        // Run a third of the time, then kill -9 the leader.
        #expect(waitUntil(timeout: .seconds(Int(seconds) + 30)) { ((try? fleet.redisTime()) ?? 0) >= killAt })
        var leader: [String] = []
        #expect(waitUntil(timeout: .seconds(10)) { leader = Self.leaders(fleet); return leader.count == 1 })
        let victim = try #require(ids.firstIndex(of: leader.first ?? ""))
        running[victim].kill()
        // Another takes over once the lease runs out; then the victim comes back.
        #expect(waitUntil(timeout: .seconds(15)) { Self.leaders(fleet).contains { $0 != ids[victim] } })
        running[victim] = try procs.start(id: ids[victim], port: ports[victim])

        // Until every schedule's fire at the end has been delivered.
        #expect(waitUntil(timeout: .seconds(Int(seconds) + 60)) {
            Self.fires(gateway.executions.keys).values.filter { ($0.max() ?? 0) >= endMs }.count == count
        })
        for p in running { p.terminate(grace: .seconds(10)) }

        // Every (schedule, second) from the first whole second to the end: one execution.
        let received = Self.fires(gateway.executions.keys)
        let first = (received.values.compactMap { $0.min() }.max() ?? startMs) + 1000
        var missing: [String] = []
        var unrecorded: [String] = []
        for i in 0..<count {
            let name = "s" + (i < 10 ? "0" : "") + String(i)
            for ms in stride(from: first / 1000 * 1000, through: endMs / 1000 * 1000, by: 1000) {
                guard received[name]?.contains(ms) == true else { missing.append("\(name)@\(ms)"); continue }
                let value = try store.fireValue(schedule: name, epochMillis: ms)
                if value != gateway.executions["schedule:\(name):\(ms)"] { unrecorded.append("\(name)@\(ms)=\(value ?? "nil")") }
            }
        }
        let expected = count * Int((endMs / 1000 * 1000 - first / 1000 * 1000) / 1000 + 1)
        let posts = gateway.received.count
        let keys = gateway.executions.count
        print("scheduler fleet: \(count) schedules × \(seconds) s, leader \(ids[victim]) killed: \(expected) fires expected in the window, "
              + "\(keys) executions, \(posts) POSTs (\(posts - keys) redeliveries absorbed by the idempotency key), "
              + "missing \(missing.count), fire keys not recording the execution \(unrecorded.count); first fire \(firstFire ?? "?")")
        #expect(missing.isEmpty, "fires never delivered: \(missing.prefix(20))")
        #expect(unrecorded.isEmpty, "fire keys without their execution: \(unrecorded.prefix(20))")
        // Redeliveries happen only for fires in flight when the leader died.
        #expect(posts - keys <= count * 2)
        // Nothing fired ahead of the window's end by more than a tick or two of the stop.
        let late = gateway.received.filter { r in
            guard let ft = r.request.trigger?.fireTime, let t = try? Instant(iso8601: ft, zone: .utc) else { return false }
            return r.at < t.millisecondsSinceEpoch - 50
        }
        #expect(late.isEmpty, "fires delivered before their time: \(late.count)")
        keepLogs = !missing.isEmpty || !unrecorded.isEmpty || !late.isEmpty
    }
}
