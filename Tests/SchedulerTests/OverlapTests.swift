import BatchCore
import Schedule
@testable import Scheduler
import Testing

/// The overlap policies, with the previous execution's state given by the test.
struct OverlapTests {
    typealias F = PlannerFixtures

    /// A planner whose schedule "s" delivered its 1 s fire as E1, now running.
    func running(_ overlap: OverlapPolicy) throws -> FirePlanner {
        var p = F.planner(try F.schedule("s", overlap: overlap))
        let first = p.popDue(now: F.at(1))[0]
        #expect(p.admit(first, previousRunning: false, now: F.at(1)) == .fire)
        p.delivered(first, executionId: "E1", state: "queued")
        p.observed(["E1": (.running, nil)], now: F.at(1.5))
        return p
    }

    @Test(arguments: [
        (OverlapPolicy.allow, OverlapDecision.fire),
        (.skip, .skip),
        (.queue, .queueAfterPrevious),
        (.replace, .cancelPreviousThenFire),
    ])
    func aFireWhileThePreviousRunsFollowsThePolicy(policy: OverlapPolicy, decision: OverlapDecision) throws {
        var p = try running(policy)
        #expect(p.overlapCheck("s") == (policy == .allow ? nil : "E1"))
        let second = p.popDue(now: F.at(2))[0]
        #expect(p.admit(second, previousRunning: true, now: F.at(2)) == decision)
        if decision == .skip { #expect(p.states["s"]?.lastOutcome == "skipped:overlap") }
    }

    @Test func withThePreviousOverEveryPolicyFires() throws {
        for policy in OverlapPolicy.allCases {
            var p = try running(policy)
            p.observed(["E1": (.succeeded, F.at(1.8).millisecondsSinceEpoch)], now: F.at(1.9))
            #expect(p.overlapCheck("s") == nil)
            let second = p.popDue(now: F.at(2))[0]
            #expect(p.admit(second, previousRunning: p.states["s"]!.previousMayRun, now: F.at(2)) == .fire)
        }
    }

    @Test func queuedFiresRunOneAfterAnotherAsEachExecutionEnds() throws {
        var p = try running(.queue)
        let f2 = p.popDue(now: F.at(2))[0]
        let f3 = p.popDue(now: F.at(3))[0]
        #expect(p.admit(f2, previousRunning: true, now: F.at(2)) == .queueAfterPrevious)
        // Queued behind f2 even if E1 just ended: order is kept.
        #expect(p.admit(f3, previousRunning: false, now: F.at(3)) == .queueAfterPrevious)
        #expect(p.readyPending(now: F.at(100)).deliver.isEmpty)  // E1 still runs; no misfire drop either
        p.observed(["E1": (.failed, nil)], now: F.at(101))
        #expect(p.readyPending(now: F.at(101)).deliver == [f2])
        #expect(p.readyPending(now: F.at(101)).deliver.isEmpty)
        p.delivered(f2, executionId: "E2", state: "queued")
        #expect(p.readyPending(now: F.at(102)).deliver.isEmpty)
        p.observed(["E2": (.succeeded, nil)], now: F.at(103))
        #expect(p.readyPending(now: F.at(103)).deliver == [f3])
    }

    @Test func fixedDelayWaitsForTheEndOfThePreviousExecution() throws {
        var p = F.planner(try F.schedule("d", trigger: .fixedDelay(.seconds(30)), overlap: .skip))
        // Due at once: the first instant after the grid start.
        let first = p.popDue(now: F.at(0.001))
        #expect(first == [Fire(name: "d", at: F.at(0.001))])
        #expect(p.admit(first[0], previousRunning: false, now: F.at(0)) == .fire)
        #expect(p.states["d"]?.next == nil)
        p.delivered(first[0], executionId: "E1", state: "queued")
        #expect(p.watchedExecutions == ["E1"])
        p.observed(["E1": (.running, nil)], now: F.at(5))
        #expect(p.states["d"]?.next == nil)
        p.observed(["E1": (.succeeded, F.at(42).millisecondsSinceEpoch)], now: F.at(43))
        #expect(p.states["d"]?.next == F.at(72))
        #expect(p.popDue(now: F.at(72)) == [Fire(name: "d", at: F.at(72))])
    }

    @Test func aRejectedFireEndsAFixedDelayRoundSoTheNextIsPlanned() throws {
        var p = F.planner(try F.schedule("d", trigger: .fixedDelay(.seconds(30))))
        let first = p.popDue(now: F.at(0.001))[0]
        _ = p.admit(first, previousRunning: false, now: F.at(0))
        p.rejected(first, outcome: "failed:http_400: bad params", now: F.at(1))
        #expect(p.states["d"]?.lastOutcome == "failed:http_400: bad params")
        #expect(p.states["d"]?.next == F.at(31))
    }
}

struct WatchTests {
    typealias F = PlannerFixtures

    @Test func executionsAreWatchedUntilTheyEndOrVanish() throws {
        var p = F.planner(try F.schedule("a"), try F.schedule("b"))
        let fires = p.popDue(now: F.at(1))
        for f in fires { _ = p.admit(f, previousRunning: false, now: F.at(1)) }
        p.delivered(fires[0], executionId: "E1", state: "queued")
        p.delivered(fires[1], executionId: "E2", state: "queued")
        #expect(Set(p.watchedExecutions) == ["E1", "E2"])
        p.observed(["E1": (.succeeded, nil)], now: F.at(2))
        #expect(p.watchedExecutions == ["E2"])
        #expect(p.states[fires[0].name]?.lastOutcome == "succeeded")
        p.unwatch(["E2"])
        #expect(p.watchedExecutions.isEmpty)
    }
}

struct FixedDelayTakeoverTests {
    typealias F = PlannerFixtures

    @Test func aNewLeaderPlansFromThePublishedEndOfTheLastExecution() throws {
        var old = F.planner(try F.schedule("d", trigger: .fixedDelay(.seconds(30))))
        let first = old.popDue(now: F.at(0.001))[0]
        _ = old.admit(first, previousRunning: false, now: F.at(0.001))
        old.delivered(first, executionId: "E1", state: "queued")
        old.observed(["E1": (.succeeded, F.at(10).millisecondsSinceEpoch)], now: F.at(11))
        let published = try #require(old.status("d", scheduler: "old", now: F.at(12)))
        #expect(published.lastEndMs == F.at(10).millisecondsSinceEpoch)

        var new = F.planner(try F.schedule("d", trigger: .fixedDelay(.seconds(30))))
        _ = new.adopt(published, name: "d")
        new.replanAll(after: F.at(20))
        #expect(new.states["d"]?.next == F.at(40))

        // Published before the end was known, but over: plan from the fire.
        var early = published
        early.lastEndMs = nil
        var third = F.planner(try F.schedule("d", trigger: .fixedDelay(.seconds(30))))
        _ = third.adopt(early, name: "d")
        third.replanAll(after: F.at(20))
        #expect(third.states["d"]?.next == F.at(30.001))
    }
}
