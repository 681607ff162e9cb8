import BatchCore
import FleetTestSupport
import Foundation
import Redis
import Store
import Testing
import TestSupport

/// Fleet-wide rate limits through built gateways: work over the rate waits in its queue and goes
/// as tokens come, a changed rate counts from the next refresh, and gateways share one bucket.
@Suite(.serialized, .blocking) struct RateLimitGatewayTests {
    static func noop(_ rate: JobRate?) -> JobType {
        var j = JobType(name: "noop", kind: .builtin, builtin: .noop)
        j.rate = rate
        return j
    }

    /// Dispatch times (Redis time, ms) of `ids`, sorted; nil until every one was dispatched.
    static func dispatchTimes(_ store: ExecutionStore, _ ids: [String]) throws -> [Int64]? {
        let times = try store.getMany(ids).map { $0?.dispatched }
        return times.contains(nil) ? nil : times.compactMap { $0 }.sorted()
    }

    /// A gateway and a fake worker serving `noop` at `rate`, once the gateway knows the job type.
    static func fleet(_ rate: JobRate, _ label: String = #function) throws -> (GatewayFixture, FakeWorker) {
        let f = try GatewayFixture(label)
        let w: FakeWorker
        do {
            w = try FakeWorker(id: "wr", redis: f.redis, namespace: f.namespace, jobs: [noop(rate)])
        } catch {
            f.stop()
            throw error
        }
        do {
            try f.waitForJob()
        } catch {
            w.stop(); f.stop()
            throw error
        }
        return (f, w)
    }

    static func queue(_ store: ExecutionStore, _ n: Int) throws -> [String] {
        try (0..<n).map { _ in try store.create(NewExecution(job: "noop", params: [:]), queueLimit: 0).id }
    }

    @Test func workOverTheRateWaitsInItsQueueAndGoesAsTokensCome() throws {
        let (f, w) = try Self.fleet(JobRate(count: 4, periodMs: 1_000))
        defer { w.stop(); f.stop() }
        let ids = try Self.queue(f.store, 8)
        var times: [Int64]?
        #expect(try waitUntil(timeout: .seconds(15), poll: .milliseconds(50)) {
            times = try Self.dispatchTimes(f.store, ids)
            return times != nil
        }, "\(f.gateway.log.suffix(2000))")
        let t = try #require(times)
        // One every 250 ms, and nobody waits for more than the rate makes them wait.
        for (a, b) in zip(t, t.dropFirst()) { #expect(b - a >= 249, "\(t)") }
        #expect(t.last! - t.first! <= 7 * 250 + 1_000, "\(t)")
        #expect(try waitUntil(timeout: .seconds(10)) { (try f.store.counts()[.succeeded] ?? 0) == 9 })
    }

    @Test func aChangedRateTakesEffectWhenTheWorkerRegistersItAgain() throws {
        let (f, w) = try Self.fleet(JobRate(count: 1, periodMs: 3_600_000))
        defer { w.stop(); f.stop() }
        let ids = try Self.queue(f.store, 5)
        #expect(try waitUntil(timeout: .seconds(10)) { try f.store.rateLimited(since: 0).map(\.job) == ["noop"] })
        #expect(try f.store.getMany(ids).allSatisfy { $0?.state == .queued })
        let fast = String(decoding: try JSONEncoder().encode(Self.noop(JobRate(count: 50, periodMs: 1_000))), as: UTF8.self)
        try w.fleet.registerJobs(worker: w.id, jobs: ["noop": fast])
        var states: [ExecutionState?] = []
        #expect(try waitUntil(timeout: .seconds(10)) {
            states = try f.store.getMany(ids).map { $0?.state }
            return states.allSatisfy { $0 == .succeeded }
        }, "\(states)")
    }

    /// Two gateways dispatch one job type at 600 a minute for a minute: the count of dispatches in
    /// that minute (from the store, on Redis' clock) is 600 within 1%.
    @Test func twoGatewaysShareOneRateWithinOnePercentOverAMinute() throws {
        let f = try GatewayFixture()
        defer { f.stop() }
        let second = try DaemonProcess("batch-gateway", config: "[gateway]\nlease = 5s\ndispatch-timeout = 1s\n",
                                       redisURL: try RedisServer.shared.url, namespace: f.namespace)
        defer { _ = second.stop() }
        try second.waitReady()
        let rate = JobRate(count: 600, periodMs: 60_000, burst: 20)
        let w = try FakeWorker(id: "wr", redis: f.redis, namespace: f.namespace, jobs: [Self.noop(rate)])
        defer { w.stop() }
        try f.waitForJob()
        let ids = try Self.queue(f.store, 760)
        // The minute starts 5 s after the first dispatch, once the burst is spent and the bucket runs dry.
        var first: Int64?
        #expect(try waitUntil(timeout: .seconds(20)) {
            first = try f.store.getMany(Array(ids.prefix(1))).first??.dispatched
            return first != nil
        })
        let start = try #require(first) + 5_000, end = start + 60_000
        let redis = f.redis
        #expect(try waitUntil(timeout: .seconds(90), poll: .milliseconds(500)) {
            let t = try redis.send(RedisCommand("TIME")).array?.first?.string.flatMap { Int64($0) } ?? 0
            return t * 1_000 >= end + 1_000
        })
        let times = try f.store.getMany(ids).compactMap { $0?.dispatched }
        let inMinute = times.filter { $0 >= start && $0 < end }.count
        #expect(abs(inMinute - 600) <= 6, "\(inMinute) dispatches in the minute")
        // From the first dispatch on: never more than the burst and the rate allow.
        #expect(times.filter { $0 < end }.count <= 20 + 650, "\(times.count)")
        // Both gateways took part.
        let gateways = Set(try f.store.getMany(Array(ids.prefix(400))).compactMap { $0?.gateway })
        #expect(gateways.count == 2, "\(gateways)")
    }
}
