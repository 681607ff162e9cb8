import BatchCore
import Foundation
import Redis
@testable import Store
import Synchronization
import Testing
import TestSupport

/// A job type's rate bucket, as the claim script keeps it on Redis' clock.
@Suite(.blocking)
struct RateLimitStoreTests {
    private func queue(_ f: StoreFixture, _ n: Int, job: String = "r") throws -> [String] {
        try (0..<n).map { _ in try f.store.create(NewExecution(job: job, params: [:]), queueLimit: 0).id }
    }

    private func claim(_ s: ExecutionStore, _ rate: JobRate?, max: Int = 64, allowed: [String: Int] = ["r": 0]) throws -> ClaimRound {
        try s.claimRound(allowed: allowed, rates: rate.map { ["r": $0] } ?? [:], max: max, leaseMillis: 60_000, gateway: "g")
    }

    @Test func aFullBucketLetsItsBurstGoAndSaysWhenTheNextTokenComes() throws {
        let f = try StoreFixture()
        let ids = try queue(f, 10)
        let rate = JobRate(count: 1, periodMs: 60_000, burst: 3)
        let first = try claim(f.store, rate)
        #expect(first.claimed.map(\.id) == Array(ids.prefix(3)))
        #expect(!first.queueEmpty)
        let wait = try #require(first.rateWaitMillis)
        #expect(wait > 59_000 && wait <= 60_000)
        // What waits stays queued, in order, and counts as rate-limited.
        #expect(try f.queueList() == Array(ids.dropFirst(3)))
        let limited = try f.store.rateLimited(since: try f.nowMs() - 5_000)
        #expect(limited.map(\.job) == ["r"])
        #expect(limited.first?.rate == rate)
        #expect(try f.store.rateLimited(since: try f.nowMs() + 1).isEmpty)
        // Without a rate nothing is held back.
        #expect(try claim(f.store, nil).claimed.count == 7)
    }

    @Test func theBucketRefillsOnRedisTime() throws {
        let f = try StoreFixture()
        _ = try queue(f, 10)
        // Empty 3.5 s ago at one token a second: 3.5 tokens now.
        _ = try f.send("HSET", f.keys.rate("r"), "tokens", "0", "at", String(try f.nowMs() - 3_500))
        let round = try claim(f.store, JobRate(count: 1, periodMs: 1_000, burst: 10))
        #expect(round.claimed.count == 3)
        let wait = try #require(round.rateWaitMillis)
        #expect(wait > 0 && wait <= 500)
        let fields = ExecutionStore.fieldMap(try f.send("HGETALL", f.keys.rate("r")))
        #expect(fields["count"] == "1" && fields["period"] == "1000" && fields["burst"] == "10")
        #expect(try f.send("PTTL", f.keys.rate("r")).int ?? 0 > 60_000)
    }

    @Test func aChangedRateKeepsTheTokensAndCountsAtTheNewPace() throws {
        let f = try StoreFixture()
        _ = try queue(f, 4)
        let slow = try claim(f.store, JobRate(count: 1, periodMs: 3_600_000))
        #expect(slow.claimed.count == 1)
        #expect(try claim(f.store, JobRate(count: 1, periodMs: 3_600_000)).rateWaitMillis ?? 0 > 3_500_000)
        // Ten a second from now on: the next token is due within 100 ms.
        let fast = JobRate(count: 10, periodMs: 1_000)
        #expect(try claim(f.store, fast).rateWaitMillis ?? 1_000 <= 100)
        var got = 0
        #expect(try waitUntil(timeout: .seconds(5), poll: .milliseconds(10)) {
            got += try claim(f.store, fast).claimed.count
            return got == 3
        })
    }

    @Test func aRateLimitedHeadDoesNotHoldBackOtherJobTypes() throws {
        let f = try StoreFixture()
        let r = try queue(f, 3)
        let other = try queue(f, 2, job: "o")
        let round = try claim(f.store, JobRate(count: 1, periodMs: 60_000), allowed: ["r": 0, "o": 0])
        #expect(round.claimed.map(\.id) == [r[0]] + other)
        #expect(try f.queueList() == Array(r.dropFirst()))
        // A job type at its concurrency limit is not rate-limited: it never asked for a token.
        let g = try StoreFixture()
        _ = try queue(g, 2)
        _ = try g.send("HSET", g.keys.jobRunning, "r", "1")
        #expect(try claim(g.store, JobRate(count: 1, periodMs: 60_000), allowed: ["r": 1]).rateWaitMillis == nil)
        #expect(try g.store.rateLimited(since: 0).isEmpty)
    }

    /// Two claimers on connections of their own, as two gateways: the bucket is one.
    @Test func twoConcurrentClaimersNeverExceedTheRate() throws {
        let f = try StoreFixture()
        _ = try queue(f, 200)
        let rate = JobRate(count: 40, periodMs: 1_000, burst: 5)
        let start = try f.nowMs()
        let claimed = Atomic<Int>(0)
        let done = Atomic<Int>(0)
        for _ in 0..<2 {
            let s = ExecutionStore(redis: try RedisClient(url: try RedisServer.shared.url), namespace: f.namespace)
            Thread.detachNewThread {
                let clock = ContinuousClock(), end = clock.now + .milliseconds(1_500)
                while clock.now < end {
                    let n = (try? s.claimRound(allowed: ["r": 0], rates: ["r": rate], max: 3, leaseMillis: 60_000, gateway: "g").claimed.count) ?? 0
                    claimed.add(n, ordering: .relaxed)
                }
                done.add(1, ordering: .releasing)
            }
        }
        #expect(waitUntil(timeout: .seconds(20)) { done.load(ordering: .acquiring) == 2 })
        let elapsed = try f.nowMs() - start
        let n = claimed.load(ordering: .relaxed)
        // The burst, and one token every 25 ms after it.
        #expect(n <= 5 + Int(elapsed / 25) + 1, "\(n) in \(elapsed) ms")
        #expect(n >= 5 + 1_500 / 25 - 10, "\(n) in \(elapsed) ms")
        #expect(try f.send("LLEN", f.keys.queue(5)).int == Int64(200 - n))
    }
}
