@testable import Schedule
import Testing

struct CronInstantTests {
    @Test(arguments: [
        ("2026-03-08T07:00:00Z", "America/New_York", "2026-03-08T03:00:00-04:00", "2026-03-08"),
        ("2026-03-08T06:59:59Z", "America/New_York", "2026-03-08T01:59:59-05:00", "2026-03-08"),
        ("2026-03-07T17:00:00Z", "Asia/Seoul", "2026-03-08T02:00:00+09:00", "2026-03-08"),
        ("2026-01-15T12:00:00Z", "Europe/London", "2026-01-15T12:00:00+00:00", "2026-01-15"),
        ("2026-01-15T12:00:00.250Z", "UTC", "2026-01-15T12:00:00.250Z", "2026-01-15"),
        ("2026-01-15T12:00:00Z", "Etc/UTC", "2026-01-15T12:00:00Z", "2026-01-15"),
        ("2026-04-04T15:00:00Z", "Australia/Lord_Howe", "2026-04-05T01:30:00+10:30", "2026-04-05"),
        ("1969-12-31T23:59:59Z", "UTC", "1969-12-31T23:59:59Z", "1969-12-31"),
        ("1850-01-01T00:00:00Z", "America/New_York", "1849-12-31T19:03:58-04:56:02", "1849-12-31"),
    ])
    func instantsFormatInTheZonesLocalTime(_ utc: String, _ id: String, _ iso: String, _ date: String) {
        let z = CronFixture.zone(id)
        let t = CronFixture.instant(utc)
        #expect(t.iso8601(in: z) == iso)
        #expect(t.localDate(in: z) == date)
    }

    @Test(arguments: [
        ("2026-03-08T01:00:00-05:00", "UTC", "2026-03-08T06:00:00Z"),
        ("2026-03-08T01:00:00Z", "Asia/Seoul", "2026-03-08T01:00:00Z"),
        ("2026-03-08T01:00:00+0900", "UTC", "2026-03-07T16:00:00Z"),
        ("2026-03-08t01:00:00z", "UTC", "2026-03-08T01:00:00Z"),
        ("2026-03-08T01:00:00", "America/New_York", "2026-03-08T06:00:00Z"),
        ("2026-03-08 01:00", "America/New_York", "2026-03-08T06:00:00Z"),
        ("2026-03-08T01:00:00.5", "UTC", "2026-03-08T01:00:00.500Z"),
        ("2026-03-08", "Asia/Seoul", "2026-03-07T15:00:00Z"),
        // A local time in the gap means the first instant after it; a repeated one the first occurrence.
        ("2026-03-08T02:30:00", "America/New_York", "2026-03-08T07:00:00Z"),
        ("2026-11-01T01:30:00", "America/New_York", "2026-11-01T05:30:00Z"),
        ("2028-02-29T00:00:00Z", "UTC", "2028-02-29T00:00:00Z"),
    ])
    func iso8601TextParses(_ text: String, _ id: String, _ utc: String) throws {
        let t = try Instant(iso8601: text, zone: CronFixture.zone(id))
        #expect(t.iso8601(in: .utc) == utc)
    }

    @Test(arguments: ["", "2026", "2026-13-01", "2026-02-29", "2026-02-30T00:00:00Z", "2026-03-08T24:00:00",
                      "2026-03-08T01:00:00+25:00", "2026-03-08T01:00:00 junk", "2026-03-08T1:00", "26-03-08",
                      "2026-03-08T01:00:00.Z"])
    func malformedTimesAreRefused(_ text: String) {
        do {
            let t = try Instant(iso8601: text, zone: .utc)
            Issue.record("accepted \(text) as \(t)")
        } catch {
            #expect(error.kind == .time)
            #expect(error.description.hasPrefix("time \"\(text)\""))
        }
    }

    @Test func formattingRoundTripsThroughParsing() throws {
        let ny = CronFixture.zone("America/New_York")
        var t = CronFixture.instant("2026-01-01T00:00:00Z")
        for _ in 0..<500 {
            let back = try Instant(iso8601: t.iso8601(in: ny), zone: .utc)
            #expect(back == t)
            t = t.adding(milliseconds: 86_400_000 + 3_600_000 + 1)
        }
    }

    @Test func civilArithmeticMatchesDayByDayCounting() {
        var days = Civil.daysFromCivil(year: 1600, month: 1, day: 1)
        for year in 1600...2400 {
            for month in 1...12 {
                for day in 1...Civil.daysInMonth(year: year, month: month) {
                    let c = Civil.civilFromDays(days)
                    if c.year != year || c.month != month || c.day != day || Civil.daysFromCivil(year: year, month: month, day: day) != days {
                        Issue.record("day \(days) is \(c), expected \(year)-\(month)-\(day)")
                        return
                    }
                    days += 1
                }
            }
        }
        #expect(Civil.daysFromCivil(year: 1970, month: 1, day: 1) == 0)
        #expect(Civil.weekday(days: 0) == 4)
        #expect(Civil.weekday(days: -1) == 3)
    }
}
