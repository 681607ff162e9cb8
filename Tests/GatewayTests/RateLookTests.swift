import BatchCore
import Redis
import Store
import Testing
@testable import Gateway

/// What a dispatcher sends a claim about rates, and how long it waits for a token.
struct RateLookTests {
    @Test func aDispatcherLooksAgainWhenTheTokenComesButAtLeastEveryIdleLook() {
        #expect(Dispatcher.rateLook(100) == .milliseconds(100))
        #expect(Dispatcher.rateLook(0) == .milliseconds(1))
        #expect(Dispatcher.rateLook(3_600_000) == Dispatcher.idleLook)
    }

    @Test func theRatesAreThoseOfTheServedDeclarations() throws {
        let d = WorkerDirectory(fleet: FleetRegistry(redis: try RedisClient(url: "redis://127.0.0.1:1/0"), namespace: "unit"))
        var rated = JobType(name: "rated")
        rated.rate = JobRate(count: 100, periodMs: 60_000, burst: 5)
        d.serve(["rated": rated, "free": JobType(name: "free")])
        #expect(d.rates == ["rated": JobRate(count: 100, periodMs: 60_000, burst: 5)])
    }
}
