@testable import BatchCore
import Schedule
import Testing

/// A configured schedule becomes the plan the scheduler runs.
struct CronPlanDefinitionTests {
    @Test func configuredSchedulesBecomePlans() throws {
        let nightly = ScheduleDefinition(name: "nightly-report", job: "report", trigger: .cron("0 0 2 * * *"),
                                         zone: "Asia/Seoul")
        let plan = try SchedulePlan(definition: nightly)
        #expect(plan.zone.identifier == "Asia/Seoul")
        let s = try Instant(iso8601: "2026-03-07T12:00:00+09:00", zone: .utc)
        let next = try Instant(iso8601: "2026-03-08T02:00:00+09:00", zone: .utc)
        #expect(plan.nextFire(after: s, lastFire: nil, lastEnd: nil, startedAt: s) == next)
        let rate = try SchedulePlan(definition: ScheduleDefinition(name: "r", job: "j", trigger: .fixedRate(.seconds(30)),
                                                                   initialDelay: .seconds(5)))
        #expect(rate.trigger == .fixedRate(milliseconds: 30_000))
        #expect(rate.initialDelayMilliseconds == 5000)
        let delay = try SchedulePlan(definition: ScheduleDefinition(name: "d", job: "j", trigger: .fixedDelay(.milliseconds(1500))))
        #expect(delay.trigger == .fixedDelay(milliseconds: 1500))
    }

    @Test func badDefinitionsAreErrorsNotCrashes() {
        #expect(throws: CronError.self) {
            try SchedulePlan(definition: ScheduleDefinition(name: "x", job: "j", trigger: .cron("0 0 0 30 2 *")))
        }
        #expect(throws: CronError.self) {
            try SchedulePlan(definition: ScheduleDefinition(name: "x", job: "j", trigger: .cron("0 0 * * * *"), zone: "Nowhere/Town"))
        }
        #expect(throws: CronError.self) {
            try SchedulePlan(definition: ScheduleDefinition(name: "x", job: "j", trigger: .fixedRate(.zero)))
        }
        #expect(throws: CronError.self) {
            try SchedulePlan(definition: ScheduleDefinition(name: "x", job: "j", trigger: .fixedDelay(.seconds(-1))))
        }
    }
}
