import BatchCore
import Foundation
import Redis
import Store
import Testing
import TestSupport
@testable import Console

/// `StoreDataSource` against a real Redis seeded through the Store's operations.
@Suite(.blocking) struct LiveDataSourceTests {
    @Test func snapshotShowsSeededExecutionsNewestFirstWithTheirStates() throws {
        let f = try LiveFixture()
        let ids = try f.seed()
        let snap = try f.dataSource().snapshot(filter: nil, limit: 100)
        #expect(snap.executions.map(\.id) == (try f.newestFirst([ids.queued, ids.running, ids.failed, ids.succeeded])))
        let byID = Dictionary(uniqueKeysWithValues: snap.executions.map { ($0.id, $0) })
        #expect(byID[ids.succeeded]?.state == .succeeded)
        #expect(byID[ids.failed]?.state == .failed)
        #expect(byID[ids.failed]?.reason == "exit_code")
        #expect(byID[ids.running]?.state == .running)
        #expect(byID[ids.running]?.progress == 40)
        #expect(byID[ids.running]?.worker == LiveFixture.worker)
        #expect(byID[ids.running]?.started != nil)
        #expect(byID[ids.running]?.finished == nil)
        #expect(byID[ids.succeeded]?.finished != nil)
        #expect(byID[ids.queued]?.state == .queued)
        #expect(byID[ids.queued]?.job == "report")
    }

    @Test func metersCountWorkersQueueRunningAndRecentEnds() throws {
        let f = try LiveFixture()
        let ids = try f.seed()
        let snap = try f.dataSource().snapshot(filter: nil, limit: 100)
        let m = snap.meters
        #expect(m.workersUp == 1)
        #expect(m.workersKnown == 1)
        #expect(m.slots == 4)
        #expect(m.queueDepth == 1)
        #expect(m.running == 1)
        #expect(m.countsByState[.succeeded] == 1)
        #expect(m.countsByState[.failed] == 1)
        // Two ends in the last minute; one of the two that ran to an outcome succeeded.
        #expect(abs(m.throughputPerSecond - 2.0 / 60) < 1e-9)
        #expect(m.successRate == 0.5)
        let runs = try [ids.succeeded, ids.failed].compactMap { try f.executions.get($0)?.runMillis }
        #expect(runs.count == 2)
        #expect(m.p95RunSeconds == Double(runs.max()!) / 1000)
        // Redis' clock, not this machine's.
        let redisNow = try f.fleet.redisTime()
        #expect(abs(snap.takenAt.timeIntervalSince1970 * 1000 - Double(redisNow)) < 5_000)
    }

    @Test func workerRowCarriesRegistrationJobTypesAndEveryGatewaysBreaker() throws {
        let f = try LiveFixture()
        try f.seed()
        let snap = try f.dataSource().snapshot(filter: nil, limit: 10)
        #expect(snap.workers.count == 1)
        let w = try #require(snap.workers.first)
        #expect(w.id == LiveFixture.worker)
        #expect(w.host == "box1")
        #expect(w.address == "http://127.0.0.1:20190")
        #expect(w.slots == 4)
        #expect(w.running == 1)
        #expect(w.jobTypes == ["report", "sleep"])
        #expect(w.breakers == [BreakerRow(gateway: LiveFixture.gateway, state: "open", failureRate: 0.625, slowRate: 0.125, calls: 8)])
        #expect(abs(w.lastHeartbeat.timeIntervalSince(snap.takenAt)) < 5)
    }

    @Test func aWorkerWhoseRegistrationExpiredStaysListedAsLostAndTheHeaderCountsIt() throws {
        let f = try LiveFixture()
        try f.seed()
        // The worker died: its hash expires (as EXPIRE would) and the gateway stops publishing its breaker.
        _ = try f.redis.send(RedisCommand("DEL", f.fleet.keys.prefix + "daemon:" + LiveFixture.worker))
        try f.fleet.publishBreakers(gateway: LiveFixture.gateway, states: [:])
        let snap = try f.dataSource().snapshot(filter: nil, limit: 10)
        let w = try #require(snap.workers.first)
        #expect(w.id == LiveFixture.worker && w.lost)
        #expect(w.host == "box1" && w.address == "http://127.0.0.1:20190" && w.slots == 4)
        #expect(snap.meters.workersUp == 0 && snap.meters.workersKnown == 1 && snap.meters.workersLost == 1)
        #expect(Meter.sample(.workers, snap.meters).text == "0/1 up, 1 lost")
        #expect(Meter.sample(.workers, snap.meters).style == .stateFailed)
        // Daemons and batchctl still see live daemons only.
        #expect(try f.fleet.live(within: .seconds(3600)).daemons.map(\.id) == [LiveFixture.gateway])
        // A clean stop is not a loss: a deregistered worker is not listed.
        try f.fleet.deregister(id: LiveFixture.worker)
        #expect(try f.dataSource().snapshot(filter: nil, limit: 10).workers.isEmpty)
    }

    @Test func schedulesAreDecodedLenientlyAndOperatorPausesShow() throws {
        let f = try LiveFixture()
        let ids = try f.seed()
        let snap = try f.dataSource().snapshot(filter: nil, limit: 10)
        #expect(snap.schedules.map(\.name) == ["every-minute", "nightly-report"])
        let nightly = snap.schedules[1]
        #expect(nightly.job == "report")
        #expect(nightly.expression == "cron 0 0 2 * * *")
        #expect(nightly.nextFire == Date(timeIntervalSince1970: 1_795_662_000))
        #expect(nightly.lastFire == Date(timeIntervalSince1970: 1_795_575_600))
        #expect(nightly.lastExecution == ids.succeeded)
        #expect(nightly.lastOutcome == "succeeded")
        #expect(nightly.paused == false)
        #expect(snap.schedules[0].paused)
        #expect(snap.schedules[0].expression == "fixed-rate 60000ms")
    }

    @Test func eventsAreTheStreamOldestFirstWithTheirSubject() throws {
        let f = try LiveFixture()
        let ids = try f.seed()
        let events = try f.dataSource().snapshot(filter: nil, limit: 10).events
        let forSucceeded = events.filter { $0.id == ids.succeeded }
        #expect(forSucceeded.count >= 3)
        #expect(forSucceeded.last?.text.hasPrefix("state=succeeded") == true)
        #expect(events.contains { $0.type == "pause" && $0.id == "every-minute" })
        #expect(events.map(\.time) == events.map(\.time).sorted())
    }

    @Test func theFilterIsSearchedInRedis() throws {
        let f = try LiveFixture()
        let ids = try f.seed()
        let source = f.dataSource()
        #expect(try source.snapshot(filter: "failed", limit: 100).executions.map(\.id) == [ids.failed])
        #expect(try source.snapshot(filter: "report", limit: 100).executions.map(\.id) == [ids.queued])
        #expect(try source.snapshot(filter: "queued job:report since:1h", limit: 100).executions.map(\.id) == [ids.queued])
        #expect(try source.snapshot(filter: "nothing-like-it", limit: 100).executions.isEmpty)
        #expect(try source.snapshot(filter: "since:ye", limit: 100).executions.count == 4)
        let all = try f.newestFirst([ids.queued, ids.running, ids.failed, ids.succeeded])
        #expect(try source.snapshot(filter: nil, limit: 2).executions.map(\.id) == Array(all.prefix(2)))
    }

    @Test func detailHasParamsAttemptsOutputAndResult() throws {
        let f = try LiveFixture()
        let ids = try f.seed()
        let source = f.dataSource()
        let running = try source.detail(id: ids.running)
        #expect(running.params == ["seconds": "1"])
        #expect(running.outputTail == ["working", "still working"])
        #expect(running.attempts.count == 1)
        #expect(running.attempts.first?.worker == LiveFixture.worker)
        #expect(running.attempts.first?.outcome == nil)
        #expect(running.trigger == "batchctl by ops")
        let ok = try source.detail(id: ids.succeeded)
        #expect(ok.result == #"{"rows":3}"#)
        #expect(ok.exitCode == 0)
        #expect(ok.attempts.last?.outcome?.hasPrefix("succeeded") == true)
        #expect(throws: StoreError.notFound("01JNOSUCHEXECUTION00000000")) { try source.detail(id: "01JNOSUCHEXECUTION00000000") }
    }

    @Test func jobTypesComeFromLiveWorkersWithTheirDeclaredParameters() throws {
        let f = try LiveFixture()
        try f.seed()
        let jobs = try f.dataSource().jobTypes()
        #expect(jobs.map(\.name) == ["report", "sleep"])
        #expect(jobs[0].params == [ParamInfo(name: "date", required: true, typeHint: "pattern [0-9]{4}-[0-9]{2}-[0-9]{2}"),
                                   ParamInfo(name: "market", typeHint: "enum KRW|USD", maxLength: 3)])
        #expect(jobs[1].params == [ParamInfo(name: "seconds", defaultValue: "1", typeHint: "int 0..3600")])
    }

    @Test func anEmptyNamespaceGivesAnEmptySnapshotNotAnError() throws {
        let f = try LiveFixture()
        let snap = try f.dataSource().snapshot(filter: nil, limit: 10)
        #expect(snap.executions.isEmpty && snap.workers.isEmpty && snap.schedules.isEmpty && snap.events.isEmpty)
        #expect(snap.meters.successRate == nil)
        #expect(snap.meters.p95RunSeconds == nil)
    }

    @Test func unreachableRedisIsAnErrorSayingSo() throws {
        let redis = try RedisClient(url: "redis://127.0.0.1:\(freeTCPPort())/0")
        let source = StoreDataSource(redis: redis, namespace: "nobody", settings: .init(user: "ops"))
        #expect(throws: StoreError.self) { try source.snapshot(filter: nil, limit: 10) }
        #expect(throws: StoreError.self) { try source.checkReachable() }
    }

    @Test func drainingWorkersOfferNoJobTypes() throws {
        let f = try LiveFixture()
        try f.seed()
        try f.fleet.heartbeat(id: LiveFixture.worker, fields: ["role": "worker", "address": "http://127.0.0.1:20190", "draining": "1"])
        #expect(try f.dataSource().jobTypes().isEmpty)
    }
}
