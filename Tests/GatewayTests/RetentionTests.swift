import BatchCore
import Foundation
import Store
import Testing
import TestSupport

/// The built gateway's janitor applies `[retention]` ages by outcome.
@Suite(.serialized, .blocking) struct RetentionTests {
    @Test func aCancelledExecutionGoesAfterItsAgeAndAFailedOneStays() throws {
        let f = try GatewayFixture(config: "[retention]\ninterval = 100ms\ncancelled-age = 1s\nfailed-age = 30d")
        defer { f.stop() }
        // No worker serves "report": nothing but this test moves these executions.
        let cancelled = try f.store.create(NewExecution(job: "report", params: [:]), queueLimit: 0).id
        _ = try f.store.cancel(id: cancelled, user: "op", source: "test")
        let failed = try f.store.create(NewExecution(job: "report", params: [:]), queueLimit: 0).id
        let c = try #require(try f.store.claim(allowed: ["report": 0], leaseMillis: 60_000, gateway: "test"))
        #expect(c.id == failed)
        _ = try f.store.start(id: failed, attempt: c.attempt, worker: "w", leaseMillis: 60_000)
        #expect(try f.store.finish(id: failed, attempt: c.attempt, worker: "w", end: AttemptEnd(outcome: .failed)) == .failed)
        let gone = try waitUntil(timeout: .seconds(15), poll: .milliseconds(100)) { try f.store.get(cancelled) == nil }
        #expect(gone, "\(f.gateway.log)")
        #expect(try f.store.get(failed)?.state == .failed)
    }
}
