@testable import Schedule
import Testing

struct CronPlanTests {
    static let start = Instant(secondsSinceEpoch: 1_767_225_600)  // 2026-01-01T00:00:00Z

    func at(_ seconds: Int64) -> Instant { CronPlanTests.start.adding(milliseconds: seconds * 1000) }

    @Test func fixedRateFiresOnAGridFromStartPlusInitialDelay() {
        let plan = SchedulePlan(trigger: .fixedRate(milliseconds: 10_000), initialDelayMilliseconds: 5000)
        let s = CronPlanTests.start
        #expect(plan.nextFire(after: s, lastFire: nil, lastEnd: nil, startedAt: s) == at(5))
        #expect(plan.nextFire(after: at(5), lastFire: at(5), lastEnd: nil, startedAt: s) == at(15))
        // A late check does not shift the grid.
        #expect(plan.nextFire(after: at(17), lastFire: at(5), lastEnd: at(16), startedAt: s) == at(25))
        #expect(plan.nextFire(after: at(24).adding(milliseconds: 999), lastFire: nil, lastEnd: nil, startedAt: s) == at(25))
        #expect(plan.nextFire(after: at(-100), lastFire: nil, lastEnd: nil, startedAt: s) == at(5))
    }

    @Test func fixedDelayWaitsFromTheEndOfThePreviousExecution() {
        let plan = SchedulePlan(trigger: .fixedDelay(milliseconds: 30_000), initialDelayMilliseconds: 2000)
        let s = CronPlanTests.start
        #expect(plan.nextFire(after: s, lastFire: nil, lastEnd: nil, startedAt: s) == at(2))
        // Still running: nothing to plan until it ends.
        #expect(plan.nextFire(after: at(3), lastFire: at(2), lastEnd: nil, startedAt: s) == nil)
        #expect(plan.nextFire(after: at(3), lastFire: at(2), lastEnd: at(1), startedAt: s) == nil)
        #expect(plan.nextFire(after: at(50), lastFire: at(2), lastEnd: at(47), startedAt: s) == at(77))
        // Due in the past: now.
        #expect(plan.nextFire(after: at(500), lastFire: at(2), lastEnd: at(47), startedAt: s)
                == at(500).adding(milliseconds: 1))
    }

    @Test func cronPlansInTheirZoneAndRespectTheInitialDelay() throws {
        let seoul = CronFixture.zone("Asia/Seoul")
        let plan = SchedulePlan(trigger: .cron(try CronExpression(parsing: "0 0 2 * * *")), zone: seoul)
        let s = CronFixture.instant("2026-03-07T12:00:00+09:00")
        #expect(plan.nextFire(after: s, lastFire: nil, lastEnd: nil, startedAt: s) == CronFixture.instant("2026-03-08T02:00:00+09:00"))
        let delayed = SchedulePlan(trigger: .cron(try CronExpression(parsing: "0 * * * * *")),
                                   initialDelayMilliseconds: 90_000, zone: seoul)
        #expect(delayed.nextFire(after: s, lastFire: nil, lastEnd: nil, startedAt: s) == s.adding(milliseconds: 120_000))
        // Exactly at start + initial delay is allowed.
        let exact = SchedulePlan(trigger: .cron(try CronExpression(parsing: "0 * * * * *")),
                                 initialDelayMilliseconds: 60_000, zone: seoul)
        #expect(exact.nextFire(after: s, lastFire: nil, lastEnd: nil, startedAt: s) == s.adding(milliseconds: 60_000))
    }

    @Test func missedFiresAreTheLatestWithinTheOutageOldestFirst() throws {
        let plan = SchedulePlan(trigger: .cron(try CronExpression(parsing: "*/10 * * * * *")))
        let s = CronPlanTests.start
        // A ten-day outage at one fire per 10 s: 86,400 fires, only the last 3 are returned.
        let now = at(10 * 86_400 + 5)
        #expect(plan.missedFires(after: at(0), through: now, lastEnd: nil, startedAt: s, limit: 3)
                == [at(10 * 86_400 - 20), at(10 * 86_400 - 10), at(10 * 86_400)])
        #expect(plan.missedFires(after: at(0), through: at(25), lastEnd: nil, startedAt: s, limit: 10)
                == [at(10), at(20)])
        #expect(plan.missedFires(after: at(20), through: at(20), lastEnd: nil, startedAt: s, limit: 10) == [])
        let rate = SchedulePlan(trigger: .fixedRate(milliseconds: 60_000))
        #expect(rate.missedFires(after: at(0), through: at(200), lastEnd: nil, startedAt: s, limit: 2) == [at(120), at(180)])
        let delay = SchedulePlan(trigger: .fixedDelay(milliseconds: 60_000))
        #expect(delay.missedFires(after: at(0), through: at(200), lastEnd: at(10), startedAt: s, limit: 5) == [at(70)])
        #expect(delay.missedFires(after: at(0), through: at(200), lastEnd: nil, startedAt: s, limit: 5) == [])
    }

    struct MisfireCase: Sendable, CustomTestStringConvertible {
        let policy: MisfirePolicy
        let missed: [Int64]
        let now: Int64
        let grace: Int64
        let fire: [Int64]
        let dropped: [Int64]
        var testDescription: String { "\(policy) missed \(missed) at \(now) grace \(grace)" }
    }

    static let misfires: [MisfireCase] = [
        MisfireCase(policy: .fireOnce, missed: [], now: 100, grace: 60, fire: [], dropped: []),
        MisfireCase(policy: .fireOnce, missed: [10, 20, 30], now: 100, grace: 60, fire: [30], dropped: [10, 20]),
        MisfireCase(policy: .skip, missed: [10, 20, 30], now: 100, grace: 60, fire: [], dropped: [10, 20, 30]),
        // Within grace: fired normally under either policy.
        MisfireCase(policy: .skip, missed: [50, 90], now: 100, grace: 60, fire: [50, 90], dropped: []),
        MisfireCase(policy: .fireOnce, missed: [90, 50], now: 100, grace: 60, fire: [50, 90], dropped: []),
        MisfireCase(policy: .fireOnce, missed: [10, 20, 90], now: 100, grace: 60, fire: [20, 90], dropped: [10]),
        MisfireCase(policy: .skip, missed: [10, 20, 90], now: 100, grace: 60, fire: [90], dropped: [10, 20]),
        // Exactly at the grace boundary is on time; future fires are not missed.
        MisfireCase(policy: .skip, missed: [40, 150], now: 100, grace: 60, fire: [40], dropped: []),
        MisfireCase(policy: .fireOnce, missed: [39], now: 100, grace: 60, fire: [39], dropped: []),
        MisfireCase(policy: .skip, missed: [39], now: 100, grace: 0, fire: [], dropped: [39]),
    ]

    @Test(arguments: misfires)
    func misfirePolicyDecidesWhichMissedFiresToDeliver(_ c: MisfireCase) {
        let d = c.policy.decide(missed: c.missed.map(at), now: at(c.now), graceMilliseconds: c.grace * 1000)
        #expect(d.fire == c.fire.map(at))
        #expect(d.dropped == c.dropped.map(at))
    }

    @Test(arguments: [
        (OverlapPolicy.allow, false, OverlapDecision.fire), (.allow, true, .fire),
        (.skip, false, .fire), (.skip, true, .skip),
        (.queue, false, .fire), (.queue, true, .queueAfterPrevious),
        (.replace, false, .fire), (.replace, true, .cancelPreviousThenFire),
    ])
    func overlapPolicyDecidesAgainstARunningPrevious(_ policy: OverlapPolicy, _ running: Bool, _ expected: OverlapDecision) {
        #expect(policy.decide(previousRunning: running) == expected)
    }

    @Test func policiesReadTheirConfigurationSpelling() {
        #expect(MisfirePolicy(rawValue: "fire-once") == .fireOnce)
        #expect(MisfirePolicy(rawValue: "skip") == .skip)
        #expect(OverlapPolicy(rawValue: "replace") == .replace)
        #expect(OverlapPolicy(rawValue: "fire-once") == nil)
    }

    @Test func scheduleParametersExpandPlaceholders() {
        let ny = CronFixture.zone("America/New_York")
        let fire = CronFixture.instant("2026-03-08T07:00:00Z")
        let out = expandScheduleParams(
            ["date": "{fire-date}", "time": "{fire-time}", "name": "{schedule}",
             "mixed": "run {schedule} at {fire-time} ({fire-date}) {other}", "plain": "x"],
            schedule: "nightly-report", fireTime: fire, zone: ny)
        #expect(out == ["date": "2026-03-08", "time": "2026-03-08T03:00:00-04:00", "name": "nightly-report",
                        "mixed": "run nightly-report at 2026-03-08T03:00:00-04:00 (2026-03-08) {other}", "plain": "x"])
        #expect(expandScheduleParams(["d": "{fire-date}"], schedule: "s", fireTime: CronFixture.instant("2026-03-07T16:00:00Z"),
                                     zone: CronFixture.zone("Asia/Seoul")) == ["d": "2026-03-08"])
    }
}
