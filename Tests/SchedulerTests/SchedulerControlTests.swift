import BatchCore
import Foundation
import Glibc
import Redis
import Schedule
import Store
import TestSupport
import Testing

/// One built scheduler: status in Redis, pause and resume through Redis, reload on SIGHUP.
@Suite(.serialized, .blocking)
struct SchedulerControlTests {
    static func status(_ store: ScheduleStore, _ name: String) -> ScheduleStatus? {
        guard let json = (try? store.statuses())?[name] else { return nil }
        return ScheduleStatus(json: json)
    }

    static func schedule(_ name: String) -> String {
        "[schedule \"\(name)\"]\njob = report\ncron = * * * * * *\nparam.at = {fire-time}\n"
    }

    @Test func pausesResumesReloadsAndPublishesStatus() throws {
        let server = try RedisServer.shared
        let gateway = try FakeGateway()
        defer { gateway.stop() }
        let procs = try SchedulerProcesses(
            config: SchedulerProcesses.config(gateways: [gateway.url], schedules: Self.schedule("a") + Self.schedule("b")),
            redisURL: server.url, namespace: RedisServer.uniqueNamespace())
        var keepLogs = true
        defer { procs.cleanUp(keep: keepLogs) }
        let scheduler = try procs.start(id: "solo", port: freeTCPPort())
        defer { scheduler.terminate(grace: .seconds(5)) }
        let redis = try RedisClient(url: server.url)
        let store = ScheduleStore(redis: redis, namespace: procs.namespace)
        func fires(_ name: String) -> [Int64] {
            SchedulerFleetTests.fires(gateway.executions.keys)[name].map { $0.sorted() } ?? []
        }

        // Status: the last fire's execution as the gateway answered it.
        #expect(waitUntil(timeout: .seconds(30)) { fires("a").count >= 2 && fires("b").count >= 2 })
        #expect(waitUntil(timeout: .seconds(10)) {
            guard let s = Self.status(store, "a"), let last = s.lastFireMs, let id = s.lastExecution else { return false }
            return gateway.executions["schedule:a:\(last)"] == id && s.nextFireMs == last + 1000 && !s.paused
        })

        // Pause a through Redis: b goes on, a stops.
        try store.setPaused("a", true, user: "test", source: "test")
        #expect(waitUntil(timeout: .seconds(10)) { Self.status(store, "a")?.paused == true })
        let pausedAt = try FleetRegistry(redis: redis, namespace: procs.namespace).redisTime()
        let bBefore = fires("b").count
        #expect(waitUntil(timeout: .seconds(15)) { fires("b").count >= bBefore + 3 })
        #expect(fires("a").filter { $0 > pausedAt + 1000 }.isEmpty, "a fired while paused")
        let log = { (try? String(contentsOfFile: procs.directory + "/solo.log", encoding: .utf8)) ?? "" }
        #expect(log().contains("schedule paused by an operator; its fires are passed over schedule=a"), "\(log())")
        try store.setPaused("a", false, user: "test", source: "test")
        #expect(waitUntil(timeout: .seconds(10)) { fires("a").contains { $0 > pausedAt + 3000 } })
        #expect(waitUntil(timeout: .seconds(5)) { log().contains("schedule resumed by an operator schedule=a") }, "\(log())")

        // Reload: b goes, c comes, a loses no second across the swap.
        let aFirst = fires("a").last ?? 0
        try procs.rewrite(SchedulerProcesses.config(gateways: [gateway.url], schedules: Self.schedule("a") + Self.schedule("c")))
        scheduler.signal(SIGHUP)
        #expect(waitUntil(timeout: .seconds(15)) { fires("c").count >= 2 })
        #expect(waitUntil(timeout: .seconds(10)) { ((try? store.statuses()) ?? [:])["b"] == nil })
        let aLast = fires("a").last ?? 0
        let expected = Set(stride(from: aFirst, through: aLast, by: 1000))
        let missing = expected.subtracting(fires("a"))
        #expect(missing.isEmpty, "a missed \(missing.sorted()) across the reload")
        let bLast = fires("b").last ?? 0
        #expect(waitUntil(timeout: .seconds(5)) { fires("a").count > 0 && (fires("a").last ?? 0) > bLast + 2000 })
        #expect(fires("b").last == bLast, "b fired after it was removed")
        keepLogs = false
    }
}
