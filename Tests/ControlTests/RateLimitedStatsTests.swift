import BatchCore
import Foundation
import Redis
import Store
import Testing
import TestSupport

/// `batchctl stats` names the job types whose work waits for rate tokens, with their rate.
struct RateLimitedStatsTests {
    @Test func statsListsRateLimitedJobTypesWithTheirRate() throws {
        let f = try ControlFleet.shared
        // A namespace of its own: the shared fleet's counts stay as other tests expect them.
        let namespace = RedisServer.uniqueNamespace("rate-limited-stats")
        let store = ExecutionStore(redis: f.redis, namespace: namespace)
        for _ in 0..<2 { _ = try store.create(NewExecution(job: "rated", params: [:]), queueLimit: 0) }
        let round = try store.claimRound(allowed: ["rated": 0], rates: ["rated": JobRate(count: 100, periodMs: 60_000)],
                                         max: 2, leaseMillis: 60_000, gateway: "g")
        #expect(round.claimed.count == 1)
        let env = ["BATCH_NAMESPACE": namespace]
        let t = try f.run(["stats"], environment: env)
        #expect(t.status == 0, "\(t)")
        #expect(t.out.contains("rate-limited  rated (100/1m)"), "\(t.out)")
        let j = try f.run(["stats", "--json"], environment: env)
        let limited = (j.jsonObject as? [String: Any])?["rateLimited"] as? [[String: Any]]
        #expect(limited?.first?["job"] as? String == "rated")
        let rate = limited?.first?["rate"] as? [String: Any]
        #expect(rate?["count"] as? Int == 100 && rate?["periodMs"] as? Int == 60_000 && rate?["burst"] as? Int == 1)
        // The shared fleet has none.
        #expect(!(try f.run(["stats"]).out.contains("rate-limited")))
    }
}
