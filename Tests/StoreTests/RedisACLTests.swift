import BatchCore
import Foundation
import Redis
import Store
import Testing
import TestSupport

/// The Redis ACL a namespace needs, as documented in batch.conf(5) and the README, is enough for
/// every step of the system; without `+time` the error says which command is missing and where
/// the documentation is.
struct RedisACLTests {
    /// The documented rules, after `user NAME on >PASSWORD ~batch:{NS}:*`.
    static let rules = "resetchannels -@all +auth +hello +ping +select +time +info +role +config|get +eval +evalsha +multi +exec "
        + "+get +set +del +exists +expire +hget +hgetall +hmget +hset +hdel +hincrby +llen +lpush +rpush +lmpop +lrange +lrem +ltrim "
        + "+zadd +zcard +zcount +zmscore +zrange +zrangebyscore +zrevrangebyscore +zrem +zremrangebyscore +zscore "
        + "+xadd +xlen +xrange +xrevrange +xread"

    static func text(_ path: String) throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        return try String(contentsOfFile: root + "/" + path, encoding: .utf8)
    }

    @Test func theDocumentedRulesAreTheOnesTested() throws {
        #expect(try Self.text("README.md").contains(Self.rules))
        // The man page breaks the line; compare its words.
        let man = try Self.text("man/batch.conf.5").replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\\&", with: "")
        #expect(man.contains(Self.rules), "man/batch.conf.5 must list the same ACL rules")
    }

    @Test func aNamespaceUserWithTheDocumentedRulesRunsEveryStep() throws {
        let server = try RedisServer.start(extraConfig: [
            "user batch-prod on >pw ~batch:{prod}:* " + Self.rules,
            "user batch-notime on >pw ~batch:{prod}:* " + Self.rules.replacingOccurrences(of: " +time", with: ""),
        ])
        defer { server.stop() }
        let redis = try RedisClient(url: "redis://batch-prod:pw@127.0.0.1:\(server.port)/0")
        let store = ExecutionStore(redis: redis, namespace: "prod")
        let created = try store.create(NewExecution(job: "report", params: ["date": "2026-01-02"], timeoutSeconds: 60,
                                                    idempotencyKey: "k", requestHash: "h"), queueLimit: 100)
        let c = try #require(try store.claim(allowed: ["report": 0], leaseMillis: 10_000, gateway: "g1"))
        #expect(c.id == created.id)
        #expect(try store.start(id: c.id, attempt: c.attempt, worker: "w1", leaseMillis: 10_000,
                                expected: DispatchedWork(job: "report", params: ["date": "2026-01-02"], timeoutSeconds: 60)) == .running)
        _ = try store.renew(worker: "w1", attempts: [(c.id, c.attempt)], leaseMillis: 10_000)
        #expect(try store.finish(id: c.id, attempt: c.attempt, worker: "w1",
                                 end: AttemptEnd(outcome: .succeeded, exitCode: 0, result: nil)) == .succeeded)
        #expect(try store.get(c.id)?.state == .succeeded)
        #expect(!(try store.events(after: "0")).isEmpty)
        _ = try store.list(state: nil, job: nil, limit: 10, before: nil)
        _ = try store.counts()
        _ = try store.recoverExpired(poisonThreshold: 3, backoffMillis: 100)
        _ = try store.trim(maxCount: 10, maxAgeMillis: 86_400_000)
        let schedules = ScheduleStore(redis: redis, namespace: "prod")
        #expect(try schedules.lead(id: "s1", ttlMillis: 5_000).leader)
        #expect(try schedules.claimFire(schedule: "n", epochMillis: 1, owner: "claimed:s1", ttlSeconds: 60))
        #expect(try schedules.bindFire(schedule: "n", epochMillis: 1, owner: "s1", fingerprint: "f"))
        let fleet = FleetRegistry(redis: redis, namespace: "prod")
        _ = try fleet.heartbeat(id: "w1", fields: ["role": "worker"])
        try fleet.registerJobs(worker: "w1", jobs: ["report": "{}"])

        let noTime = ExecutionStore(redis: try RedisClient(url: "redis://batch-notime:pw@127.0.0.1:\(server.port)/0"), namespace: "prod")
        do {
            _ = try noTime.create(NewExecution(job: "report", params: [:]), queueLimit: 100)
            Issue.record("a user without +time created an execution")
        } catch {
            #expect(error.description.contains("TIME") && error.description.contains("batch.conf(5)"), "\(error)")
        }
    }
}
