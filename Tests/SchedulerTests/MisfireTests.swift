import BatchCore
import Schedule
@testable import Scheduler
import Testing

/// The misfire rule as the planner applies it to recovered and undeliverable fires.
struct MisfireTests {
    typealias F = PlannerFixtures

    /// Fires of a 10 s schedule recovered at 300 s after an outage since 0 s.
    static let recovered = stride(from: 10.0, through: 300.0, by: 10.0).map { F.at($0) }

    @Test(arguments: [
        // policy, grace, delivered now, dropped as missed
        // fire-once: the latest late fire (230 s) once, and every fire within the grace.
        (MisfirePolicy.fireOnce, 60.0, [230.0, 240, 250, 260, 270, 280, 290, 300], 22),
        (.skip, 60.0, [240.0, 250, 260, 270, 280, 290, 300], 23),
        (.fireOnce, 0.0, [290.0, 300], 28),
        (.skip, 0.0, [300.0], 29),
        (.fireOnce, 1000.0, stride(from: 10.0, through: 300.0, by: 10.0).map { $0 }, 0),
    ])
    func recoveredFiresFollowTheMisfirePolicy(policy: MisfirePolicy, grace: Double, fired: [Double], dropped: Int) throws {
        var p = F.planner(try F.schedule("s", trigger: .fixedRate(.seconds(10)), misfire: policy, grace: .milliseconds(Int64(grace * 1000))))
        p.addRecovered(Self.recovered, name: "s", now: F.at(300))
        let ready = p.readyPending(now: F.at(300))
        #expect(ready.deliver.map(\.at) == fired.map { F.at($0) })
        #expect(ready.dropped.count == dropped)
        #expect(ready.dropped.allSatisfy { $0.1 == "missed" && $0.0.name == "s" })
        #expect(p.states["s"]?.misfires == dropped)
        // Handed out once: asking again gives nothing while they are in flight.
        #expect(p.readyPending(now: F.at(300)).deliver.isEmpty)
    }

    @Test func anUndeliverableFireIsRetriedWithBackoffThenJudgedByTheMisfireRule() throws {
        var p = F.planner(try F.schedule("s", misfire: .skip, grace: .seconds(5)))
        let fire = p.popDue(now: F.at(1))[0]
        #expect(p.admit(fire, previousRunning: false, now: F.at(1)) == .fire)
        p.retryLater(fire, now: F.at(1.01), delayMs: 2000)
        #expect(p.attempts(fire) == 1)
        #expect(p.status("s", scheduler: "x", now: F.at(1.5))?.pendingSinceMs == F.at(1).millisecondsSinceEpoch)
        #expect(p.readyPending(now: F.at(2)).deliver.isEmpty)
        #expect(p.nextWake() == F.at(2))  // the next grid fire comes first
        _ = p.popDue(now: F.at(2.5))
        #expect(p.readyPending(now: F.at(3.01)).deliver == [fire])
        p.retryLater(fire, now: F.at(3.02), delayMs: 10_000)
        // Past the grace by the time it may be retried: skip drops it, never silently.
        let later = p.readyPending(now: F.at(13.02))
        #expect(later.deliver.isEmpty)
        #expect(later.dropped.map(\.0) == [fire])
        #expect(p.states["s"]?.lastOutcome == "missed")
    }

    @Test func aFireIsGivenUpAfterTheDeliveryRetryLimit() throws {
        var p = F.planner(try F.schedule("s", misfire: .fireOnce, grace: .seconds(3600)))
        p.deliveryRetryMaxMs = 10_000
        let fire = p.popDue(now: F.at(1))[0]
        _ = p.admit(fire, previousRunning: false, now: F.at(1))
        p.retryLater(fire, now: F.at(1), delayMs: 20_000)
        let r = p.readyPending(now: F.at(21))
        #expect(r.deliver.isEmpty)
        #expect(r.dropped.map(\.1) == ["failed:undeliverable"])
    }

    @Test func anAdoptedStatusGivesTheGridAndHowFarBackToLook() throws {
        var p = F.planner(try F.schedule("s", trigger: .fixedRate(.seconds(10))))
        let mine = try #require(p.status("s", scheduler: "old", now: F.at(0)))
        var published = mine
        published.anchorMs = F.at(3).millisecondsSinceEpoch
        published.lastFireMs = F.at(43).millisecondsSinceEpoch
        published.lastExecution = "E9"
        published.lastOutcome = "running"
        published.pendingSinceMs = F.at(33).millisecondsSinceEpoch
        let adopted = p.adopt(published, name: "s")
        let since = try #require(adopted)
        #expect(since == F.at(33).adding(milliseconds: -1))
        #expect(p.missedFires(name: "s", since: since, now: F.at(60)) == [F.at(33), F.at(43), F.at(53)])
        p.replanAll(after: F.at(60))
        #expect(p.states["s"]?.next == F.at(63))
        #expect(p.states["s"]?.lastExecution == "E9")

        // A status of another definition is not adopted.
        var q = F.planner(try F.schedule("s", trigger: .fixedRate(.seconds(10))))
        published.fingerprint = "0000000000000000"
        let other = q.adopt(published, name: "s")
        #expect(other == nil)
        #expect(q.states["s"]?.anchor == F.t0)
    }
}
