import BatchCore
@testable import Scheduler
import Testing

struct FirePlannerTests {
    typealias F = PlannerFixtures

    @Test func popsEachFireOnceInOrderAndPlansTheNext() throws {
        var p = F.planner(try F.schedule("a"), try F.schedule("b", trigger: .fixedRate(.seconds(2))))
        #expect(p.popDue(now: F.at(0.5)).isEmpty)
        #expect(p.nextWake() == F.at(1))
        #expect(Set(p.popDue(now: F.at(1))) == [Fire(name: "a", at: F.at(1))])
        #expect(Set(p.popDue(now: F.at(2))) == [Fire(name: "a", at: F.at(2)), Fire(name: "b", at: F.at(2))])
        #expect(p.popDue(now: F.at(2)).isEmpty)
        // Late by 3 seconds: each missed grid point comes out once, oldest first.
        let late = p.popDue(now: F.at(5)).filter { $0.name == "a" }.map(\.at)
        #expect(late == [F.at(3), F.at(4), F.at(5)])
        #expect(p.states["a"]?.next == F.at(6))
    }

    @Test func cronFiresInItsZone() throws {
        var p = F.planner(try F.schedule("c", trigger: .cron("*/10 * * * * *")))
        #expect(p.popDue(now: F.at(25)).map(\.at) == [F.at(10), F.at(20)])
        #expect(p.nextWake() == F.at(30))
    }

    @Test func pausedSchedulesPassOverTheirFiresAndResumeAtTheNextOne() throws {
        var p = F.planner(try F.schedule("a"), try F.schedule("off", paused: true))
        p.setOperatorPaused(["a"])
        #expect(p.popDue(now: F.at(2)).isEmpty)
        #expect(p.states["a"]?.next == F.at(3))
        p.setOperatorPaused([])
        #expect(p.popDue(now: F.at(3)) == [Fire(name: "a", at: F.at(3))])
        #expect(p.status("off", scheduler: "x", now: F.at(3))?.paused == true)
        #expect(p.status("a", scheduler: "x", now: F.at(3))?.paused == false)
    }

    @Test func reloadKeepsAnUnchangedScheduleAndLosesNoTickOfAChangedOne() throws {
        var p = F.planner(try F.schedule("same"), try F.schedule("changed", trigger: .cron("* * * * * *")),
                          try F.schedule("gone"))
        _ = p.popDue(now: F.at(3))
        let removed = p.load([try F.schedule("same"), try F.schedule("changed", trigger: .cron("*/2 * * * * *")),
                              try F.schedule("new", trigger: .cron("* * * * * *"))],
                             now: F.at(3.7), plannedThrough: F.at(3))
        #expect(removed == ["gone"])
        #expect(p.states["same"]?.next == F.at(4))
        // Planned from 3 s (what was already taken), not from the reload at 3.7 s.
        #expect(p.states["changed"]?.next == F.at(4))
        #expect(p.states["new"]?.next == F.at(4))
        #expect(Set(p.popDue(now: F.at(4)).map(\.name)) == ["same", "changed", "new"])
        #expect(Set(p.popDue(now: F.at(5)).map(\.name)) == ["same", "new"])
        #expect(p.states["changed"]?.next == F.at(6))
    }

    @Test func statusCarriesNextAndLastFireAndTheExecution() throws {
        var p = F.planner(try F.schedule("a"))
        let fire = p.popDue(now: F.at(1))[0]
        #expect(p.admit(fire, previousRunning: false, now: F.at(1)) == .fire)
        p.delivered(fire, executionId: "E1", state: "queued")
        let s = try #require(p.status("a", scheduler: "sched-1", now: F.at(1.01)))
        #expect(s.lastFire == "2026-01-01T00:00:01Z" && s.lastFireMs == F.at(1).millisecondsSinceEpoch)
        #expect(s.nextFire == "2026-01-01T00:00:02Z")
        #expect(s.lastExecution == "E1" && s.lastOutcome == "queued" && s.pending == 0 && s.pendingSinceMs == nil)
        #expect(s.trigger == "fixed-rate 1000ms" && s.scheduler == "sched-1" && s.anchorMs == F.t0.millisecondsSinceEpoch)
        #expect(p.takeDirty() == ["a"])
        #expect(p.takeDirty().isEmpty)
    }
}
