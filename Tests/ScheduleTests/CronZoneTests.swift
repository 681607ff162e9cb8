@testable import Schedule
import Foundation
import Testing

struct CronZoneTests {
    /// DST gaps fire at the first instant after the gap; repeated wall times fire once, the first time.
    static let daylightSaving: [CronFireCase] = [
        // America/New_York springs forward 2026-03-08 02:00 -> 03:00.
        CronFireCase("0 30 2 * * *", after: "2026-03-07T12:00:00", zone: "America/New_York",
                 ["2026-03-08T03:00:00-04:00", "2026-03-09T02:30:00-04:00"]),
        CronFireCase("0 0 * * * *", after: "2026-03-08T00:30:00", zone: "America/New_York",
                 ["2026-03-08T01:00:00-05:00", "2026-03-08T03:00:00-04:00", "2026-03-08T04:00:00-04:00"]),
        CronFireCase("0 */20 2 * * *", after: "2026-03-08T01:00:00", zone: "America/New_York",
                 ["2026-03-08T03:00:00-04:00", "2026-03-09T02:00:00-04:00"]),
        // ... and falls back 2026-11-01 02:00 -> 01:00.
        CronFireCase("0 30 1 * * *", after: "2026-10-31T12:00:00", zone: "America/New_York",
                 ["2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00"]),
        CronFireCase("0 */30 * * * *", after: "2026-11-01T00:00:00", zone: "America/New_York",
                 ["2026-11-01T00:30:00-04:00", "2026-11-01T01:00:00-04:00", "2026-11-01T01:30:00-04:00",
                  "2026-11-01T02:00:00-05:00", "2026-11-01T02:30:00-05:00"]),
        // Asked during the second pass of the repeated hour: its wall times already fired.
        CronFireCase("0 50 1 * * *", after: "2026-11-01T01:10:00-05:00", zone: "America/New_York",
                 ["2026-11-02T01:50:00-05:00"]),
        // ... up to the end of the repeated hour, and no further.
        CronFireCase("0 * * * * *", after: "2026-11-01T01:58:30-05:00", zone: "America/New_York",
                 ["2026-11-01T02:00:00-05:00", "2026-11-01T02:01:00-05:00"]),
        // The TZ footer rule past the table: the second Sunday of March is the 14th
        // in 2100 but the 13th in 2101.
        CronFireCase("0 30 2 14 3 *", after: "2100-01-01T00:00:00", zone: "America/New_York",
                 ["2100-03-14T03:00:00-04:00", "2101-03-14T02:30:00-04:00"]),
        CronFireCase("0 * * * * *", after: "2026-11-01T01:59:30-04:00", zone: "America/New_York",
                 ["2026-11-01T02:00:00-05:00"]),
        CronFireCase("*/20 * * * * *", after: "2026-11-01T01:59:30-05:00", zone: "America/New_York",
                 ["2026-11-01T02:00:00-05:00", "2026-11-01T02:00:20-05:00"]),
        CronFireCase("*/20 * * * * *", after: "2026-11-01T01:59:30-04:00", zone: "America/New_York",
                 ["2026-11-01T01:59:40-04:00", "2026-11-01T02:00:00-05:00"]),
        // Europe/Berlin: 2026-03-29 02:00 -> 03:00 and 2026-10-25 03:00 -> 02:00.
        CronFireCase("0 30 2 * * *", after: "2026-03-28T12:00:00", zone: "Europe/Berlin",
                 ["2026-03-29T03:00:00+02:00", "2026-03-30T02:30:00+02:00"]),
        CronFireCase("0 30 2 * * *", after: "2026-10-24T12:00:00", zone: "Europe/Berlin",
                 ["2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00"]),
        // Australia/Lord_Howe shifts by 30 minutes: 2026-10-04 02:00 -> 02:30, 2026-04-05 02:00 -> 01:30.
        CronFireCase("0 15 2 * * *", after: "2026-10-03T12:00:00", zone: "Australia/Lord_Howe",
                 ["2026-10-04T02:30:00+11:00", "2026-10-05T02:15:00+11:00"]),
        CronFireCase("0 45 1 * * *", after: "2026-04-04T12:00:00", zone: "Australia/Lord_Howe",
                 ["2026-04-05T01:45:00+11:00", "2026-04-06T01:45:00+10:30"]),
        CronFireCase("0 0/15 * * * *", after: "2026-04-05T01:00:00+11:00", zone: "Australia/Lord_Howe",
                 ["2026-04-05T01:15:00+11:00", "2026-04-05T01:30:00+11:00", "2026-04-05T01:45:00+11:00",
                  "2026-04-05T02:00:00+10:30"]),
        // No DST: Asia/Seoul.
        CronFireCase("0 0 2 * * *", after: "2026-03-07T00:00:00", zone: "Asia/Seoul",
                 ["2026-03-07T02:00:00+09:00", "2026-03-08T02:00:00+09:00"]),
        CronFireCase("0 0 0 1 * *", after: "2026-10-15T00:00:00", zone: "Asia/Seoul",
                 ["2026-11-01T00:00:00+09:00", "2026-12-01T00:00:00+09:00"]),
    ]

    @Test(arguments: daylightSaving)
    func daylightSavingGapsAndOverlapsFireOnce(_ c: CronFireCase) {
        #expect(CronFixture.fires(c.expression, after: c.after, zone: c.zone, count: c.expected.count) == c.expected)
    }

    @Test(arguments: [
        ("America/New_York", "2026-01-15T12:00:00Z", -18_000), ("America/New_York", "2026-07-15T12:00:00Z", -14_400),
        ("America/New_York", "2026-03-08T06:59:59Z", -18_000), ("America/New_York", "2026-03-08T07:00:00Z", -14_400),
        ("America/New_York", "2026-11-01T05:59:59Z", -14_400), ("America/New_York", "2026-11-01T06:00:00Z", -18_000),
        ("America/New_York", "2300-07-01T00:00:00Z", -14_400), ("America/New_York", "1850-01-01T00:00:00Z", -17_762),
        ("Europe/Berlin", "2026-03-29T00:59:59Z", 3600), ("Europe/Berlin", "2026-03-29T01:00:00Z", 7200),
        ("Australia/Lord_Howe", "2026-10-03T15:29:59Z", 37_800), ("Australia/Lord_Howe", "2026-10-03T15:30:00Z", 39_600),
        ("Australia/Lord_Howe", "2026-04-04T15:00:00Z", 37_800),
        ("Asia/Seoul", "2026-07-01T00:00:00Z", 32_400), ("Asia/Seoul", "1988-06-01T00:00:00Z", 36_000),
        ("UTC", "2026-07-01T00:00:00Z", 0),
    ])
    func offsetsComeFromTheTzDatabase(_ id: String, _ at: String, _ offset: Int) {
        #expect(CronFixture.zone(id).offset(at: CronFixture.instant(at)) == offset)
    }

    @Test func wallTimesResolveToUniqueGapOrOverlap() {
        let ny = CronFixture.zone("America/New_York")
        #expect(ny.resolve(year: 2026, month: 3, day: 8, hour: 2, minute: 30, second: 0)
                == .gap(nextExisting: CronFixture.instant("2026-03-08T07:00:00Z")))
        #expect(ny.resolve(year: 2026, month: 11, day: 1, hour: 1, minute: 30, second: 0)
                == .overlap(first: CronFixture.instant("2026-11-01T05:30:00Z"), second: CronFixture.instant("2026-11-01T06:30:00Z")))
        #expect(ny.resolve(year: 2026, month: 6, day: 1, hour: 12, minute: 0, second: 0)
                == .unique(CronFixture.instant("2026-06-01T16:00:00Z")))
        let lh = CronFixture.zone("Australia/Lord_Howe")
        #expect(lh.resolve(year: 2026, month: 10, day: 4, hour: 2, minute: 10, second: 0)
                == .gap(nextExisting: CronFixture.instant("2026-10-03T15:30:00Z")))
    }

    @Test func unknownOrUnsafeZoneNamesAreRefused() {
        for name in ["Mars/Olympus_Mons", "../../etc/passwd", "/etc/localtime", "", "Asia/Seoul;rm"] {
            do {
                _ = try ZoneRules.named(name)
                Issue.record("accepted zone \(name)")
            } catch {
                #expect(error.kind == .zone)
                #expect(error.description.hasPrefix("time zone \"\(name)\""))
            }
        }
    }

    @Test func malformedTzifDataIsRefused() {
        #expect(throws: CronError.self) { try ZoneRules(tzif: Array("not a zone".utf8), identifier: "X") }
        #expect(throws: CronError.self) { try ZoneRules(tzif: Array("TZif2".utf8) + [UInt8](repeating: 0, count: 60), identifier: "X") }
    }

    @Test(arguments: [
        ("EST5EDT,M3.2.0,M11.1.0", "2026-07-01T00:00:00Z", -14_400),
        ("EST5EDT,M3.2.0,M11.1.0", "2026-01-01T00:00:00Z", -18_000),
        ("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", "2026-01-01T00:00:00Z", 39_600),
        ("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", "2026-07-01T00:00:00Z", 37_800),
        ("CET-1CEST,M3.5.0,M10.5.0/3", "2026-10-25T00:59:59Z", 7200),
        ("CET-1CEST,M3.5.0,M10.5.0/3", "2026-10-25T01:00:00Z", 3600),
        ("KST-9", "2026-07-01T00:00:00Z", 32_400),
        ("<-03>3", "2026-07-01T00:00:00Z", -10_800),
        ("XXX3YYY,J60/2,J300/2", "2026-03-02T00:00:00Z", -10_800 + 3600),
    ])
    func posixFooterRulesGiveOffsets(_ rule: String, _ at: String, _ offset: Int) {
        guard let r = PosixRule(parsing: rule) else {
            Issue.record("cannot parse \(rule)")
            return
        }
        #expect(Int(r.offset(at: CronFixture.instant(at).secondsSinceEpoch)) == offset)
    }
}

struct CronSystemZoneTests {
    @Test func systemZoneFollowsTZThenLocaltime() throws {
        #expect(try ZoneRules.system(environment: ["TZ": "Asia/Seoul"]).identifier == "Asia/Seoul")
        #expect(try ZoneRules.system(environment: ["TZ": ":Europe/Berlin"]).identifier == "Europe/Berlin")
        #expect(throws: CronError.self) { try ZoneRules.system(environment: ["TZ": "Nowhere/Town"]) }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cron-zone-\(getpid())-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let link = dir.appendingPathComponent("localtime").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "/usr/share/zoneinfo/Australia/Lord_Howe")
        #expect(try ZoneRules.system(environment: [:], localtime: link).identifier == "Australia/Lord_Howe")
        let copy = dir.appendingPathComponent("copy").path
        try FileManager.default.copyItem(atPath: "/usr/share/zoneinfo/America/New_York", toPath: copy)
        let z = try ZoneRules.system(environment: [:], localtime: copy)
        #expect(z.identifier == "localtime")
        #expect(z.offset(at: CronFixture.instant("2026-07-01T00:00:00Z")) == -14_400)
        #expect(try ZoneRules.system(environment: [:], localtime: dir.appendingPathComponent("missing").path) == .utc)
    }
}
