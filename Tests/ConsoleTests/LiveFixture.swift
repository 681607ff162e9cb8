import BatchCore
import Foundation
import Redis
import Resilience
import Store
import TestSupport
@testable import Console

/// A namespace of its own on the shared test Redis, seeded through the Store's own
/// operations the way the daemons would leave it: executions in several states, a
/// worker with its job types, a gateway with a breaker for it, schedules, events.
struct LiveFixture {
    let server: RedisServer
    let redis: RedisClient
    let namespace: String
    let executions: ExecutionStore
    let fleet: FleetRegistry
    let schedules: ScheduleStore

    static let worker = "worker-test-20190"
    static let gateway = "gateway-test-20200"

    /// Ids of what `seed()` made.
    struct Seeded {
        var succeeded: String
        var failed: String
        var running: String
        var queued: String
    }

    init(_ label: String = #function) throws {
        server = try RedisServer.shared
        redis = try RedisClient(url: server.url)
        namespace = RedisServer.uniqueNamespace(label)
        executions = ExecutionStore(redis: redis, namespace: namespace)
        fleet = FleetRegistry(redis: redis, namespace: namespace)
        schedules = ScheduleStore(redis: redis, namespace: namespace)
    }

    func dataSource(gateway: String? = nil, user: String = "ops") -> StoreDataSource {
        StoreDataSource(redis: redis, namespace: namespace,
                        settings: .init(gateway: gateway, user: user, requestTimeout: .seconds(5)))
    }

    /// Creates, claims, starts and ends one execution as a gateway and a worker would.
    func run(job: String, to end: AttemptEnd?, progress: Int? = nil, lines: [String] = []) throws -> String {
        let id = try executions.create(NewExecution(job: job, params: ["seconds": "1"], trigger: Trigger(source: "batchctl", user: "ops")),
                                       queueLimit: 0).id
        guard let c = try executions.claim(allowed: [job: 0], leaseMillis: 30_000, gateway: Self.gateway), c.id == id else {
            throw TestSupportError("could not claim \(id)")
        }
        _ = try executions.start(id: id, attempt: c.attempt, worker: Self.worker, leaseMillis: 30_000)
        if progress != nil || !lines.isEmpty { _ = try executions.report(id: id, attempt: c.attempt, progress: progress, lines: lines) }
        if let end { _ = try executions.finish(id: id, attempt: c.attempt, worker: Self.worker, end: end) }
        return id
    }

    /// The ids in the store's order, newest first: by creation time (Redis ms), then
    /// by id, since several executions can be created within one millisecond.
    func newestFirst(_ ids: [String]) throws -> [String] {
        let created = try ids.map { ($0, try executions.get($0)?.created ?? 0) }
        return created.sorted { ($0.1, $0.0) > ($1.1, $1.0) }.map(\.0)
    }

    @discardableResult
    func seed() throws -> Seeded {
        let ok = try run(job: "sleep", to: AttemptEnd(outcome: .succeeded, exitCode: 0, result: #"{"rows":3}"#), lines: ["done"])
        let bad = try run(job: "sleep", to: AttemptEnd(outcome: .failed, reason: .exitCode, exitCode: 3))
        let running = try run(job: "sleep", to: nil, progress: 40, lines: ["working", "still working"])
        let queued = try executions.create(NewExecution(job: "report", params: [:]), queueLimit: 0).id

        try fleet.heartbeat(id: Self.worker, fields: ["role": "worker", "host": "box1", "address": "http://127.0.0.1:20190",
                                                      "slots": "4", "running": "1"])
        let sleep = JobType(name: "sleep", kind: .builtin, builtin: .sleep,
                            params: [ParamSpec(name: "seconds", type: .int(min: 0, max: 3600), defaultValue: "1")])
        let report = JobType(name: "report", params: [ParamSpec(name: "date", type: .pattern("[0-9]{4}-[0-9]{2}-[0-9]{2}"), required: true),
                                                      ParamSpec(name: "market", type: .oneOf(["KRW", "USD"]), maxLength: 3)])
        let enc = JSONEncoder()
        try fleet.registerJobs(worker: Self.worker, jobs: ["sleep": String(decoding: try enc.encode(sleep), as: UTF8.self),
                                                           "report": String(decoding: try enc.encode(report), as: UTF8.self)])
        try fleet.heartbeat(id: Self.gateway, fields: ["role": "gateway", "host": "box1", "address": "http://127.0.0.1:1"])
        let breaker = BreakerMetrics(failureRate: 62.5, slowCallRate: 12.5, calls: 8, failedCalls: 5, slowCalls: 1, slowFailedCalls: 0,
                                     notPermittedCalls: 0, state: .open, openedAt: nil, nextProbeAt: nil, halfOpenPermitsLeft: 0)
        try fleet.publishBreakers(gateway: Self.gateway, states: [Self.worker: String(decoding: try enc.encode(breaker), as: UTF8.self)])

        try schedules.publish(statuses: [
            "nightly-report": #"{"name":"nightly-report","job":"report","trigger":"cron 0 0 2 * * *","zone":"UTC","nextFireMs":1795662000000,"lastFireMs":1795575600000,"lastExecution":"\#(ok)","lastOutcome":"succeeded","paused":false,"pending":0,"misfires":0,"someNewField":1}"#,
            "every-minute": #"{"name":"every-minute","job":"sleep","trigger":"fixed-rate 60000ms","paused":false}"#,
        ])
        try schedules.setPaused("every-minute", true, user: "ops", source: "batchctl")
        return Seeded(succeeded: ok, failed: bad, running: running, queued: queued)
    }
}
