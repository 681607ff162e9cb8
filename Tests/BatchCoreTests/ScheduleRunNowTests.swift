import Testing
@testable import BatchCore
import Schedule

/// What an operator's "run this schedule now" sends, declared once for batchctl and batchtop.
struct ScheduleRunNowTests {
    @Test func runNowFillsTheParametersForTheInstantInTheSchedulesZone() throws {
        let def = ScheduleDefinition(name: "nightly-report", job: "report", trigger: .cron("0 0 2 * * *"), zone: "Asia/Seoul",
                                     params: ["date": "{fire-date}", "at": "{fire-time}", "name": "{schedule}", "fixed": "x"],
                                     priority: 7)
        // 2026-11-24T20:30:00Z is already the 25th in Seoul.
        let now = try Instant(iso8601: "2026-11-24T20:30:00Z", zone: .utc)
        let r = try def.requestNow(at: now, source: "batchtop", user: "alice")
        #expect(r.jobType == "report")
        #expect(r.priority == 7)
        #expect(r.params == ["date": .string("2026-11-25"), "at": .string("2026-11-25T05:30:00+09:00"),
                             "name": .string("nightly-report"), "fixed": .string("x")])
        #expect(r.trigger == Trigger(source: "batchtop", schedule: "nightly-report", fireTime: "2026-11-25T05:30:00+09:00", user: "alice"))
        #expect(r.idempotencyKey == nil)
    }

    @Test func runNowOfAScheduleInAnUnknownZoneIsAnError() {
        let def = ScheduleDefinition(name: "n", job: "report", trigger: .fixedRate(.seconds(60)), zone: "Mars/Olympus")
        #expect(throws: CronError.self) { try def.requestNow(at: Instant(millisecondsSinceEpoch: 0), source: "batchctl", user: "ops") }
    }
}
