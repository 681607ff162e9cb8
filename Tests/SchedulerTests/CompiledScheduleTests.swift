import BatchCore
import Schedule
@testable import Scheduler
import Testing

struct CompiledScheduleTests {
    static func def(_ change: (inout ScheduleDefinition) -> Void = { _ in }) -> ScheduleDefinition {
        var d = ScheduleDefinition(name: "n", job: "report", trigger: .cron("0 0 2 * * *"), zone: "Asia/Seoul",
                                   params: ["date": "{fire-date}"])
        change(&d)
        return d
    }

    @Test func theFingerprintFollowsWhatDecidesTheFiresOnly() {
        let base = CompiledSchedule.fingerprint(of: Self.def())
        #expect(base.count == 16)
        #expect(CompiledSchedule.fingerprint(of: Self.def { $0.paused = true; $0.description = "x" }) == base)
        #expect(CompiledSchedule.fingerprint(of: Self.def { $0.params["date"] = "{fire-time}" }) != base)
        #expect(CompiledSchedule.fingerprint(of: Self.def { $0.trigger = .fixedRate(.seconds(5)) }) != base)
        #expect(CompiledSchedule.fingerprint(of: Self.def { $0.zone = "UTC" }) != base)
    }

    @Test func compilesEverySectionAndNamesTheOneThatCannotBePlanned() throws {
        let ok = try CompiledSchedule.compile(["a": Self.def { $0.name = "a" },
                                               "b": Self.def { $0.name = "b"; $0.trigger = .fixedDelay(.seconds(30)) }])
        #expect(ok.map(\.name) == ["a", "b"])
        #expect(ok[0].plan.zone.identifier == "Asia/Seoul" && ok[1].plan.zone.identifier == "Asia/Seoul")
        #expect(ok[1].plan.trigger == .fixedDelay(milliseconds: 30_000))
        #expect { try CompiledSchedule.compile(["bad": Self.def { $0.name = "bad"; $0.zone = "Nowhere/Atlantis" }]) }
            throws: { "\($0)".contains("[schedule \"bad\"]") }
    }

    @Test func paramsAreExpandedInTheSchedulesZone() throws {
        let s = try CompiledSchedule.compile(["n": Self.def()])[0]
        // 2026-03-07T17:00:00Z is 02:00 on March 8th in Seoul.
        let fire = Fire(name: "n", at: Instant(secondsSinceEpoch: 1_772_902_800))
        let p = expandScheduleParams(s.definition.params, schedule: "n", fireTime: fire.at, zone: s.plan.zone)
        #expect(p == ["date": "2026-03-08"])
        #expect(fire.idempotencyKey == "schedule:n:1772902800000")
    }
}
