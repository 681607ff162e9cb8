import BatchCore
import Foundation
import Store
import Testing
import TestSupport
@testable import Console

/// The Queue meter names the job types whose work waits for rate tokens, with their rate.
@Suite(.blocking) struct RateLimitedMeterTests {
    @Test func theQueueMeterNamesRateLimitedJobTypes() throws {
        let f = try LiveFixture()
        for _ in 0..<2 { _ = try f.executions.create(NewExecution(job: "rated", params: [:]), queueLimit: 0) }
        _ = try f.executions.claimRound(allowed: ["rated": 0], rates: ["rated": JobRate(count: 5, periodMs: 1_000, burst: 1)],
                                        max: 2, leaseMillis: 60_000, gateway: "g")
        let m = try f.dataSource().snapshot(filter: nil, limit: 10).meters
        #expect(m.rateLimited == ["rated 5/1s"])
        #expect(Meter.sample(.queue, m).text == "1 queued  rate-limited rated 5/1s")
        var quiet = m
        quiet.rateLimited = []
        #expect(Meter.sample(.queue, quiet).text == "1 queued")
    }
}
