@testable import Schedule
import Testing

/// A cron expression, a start and the fires expected after it (UTC unless a zone is given).
struct CronFireCase: CustomTestStringConvertible, Sendable {
    let expression: String
    let after: String
    let zone: String
    let expected: [String]
    init(_ expression: String, after: String, zone: String = "UTC", _ expected: [String]) {
        self.expression = expression; self.after = after; self.zone = zone; self.expected = expected
    }
    var testDescription: String { "\(expression) after \(after) in \(zone)" }
}

struct CronExpressionTests {
    /// The table in the javadoc of Spring's CronExpression, 2026 calendar.
    static let springJavadoc: [CronFireCase] = [
        CronFireCase("0 0 * * * *", after: "2026-01-01T00:00:00Z",
                 ["2026-01-01T01:00:00Z", "2026-01-01T02:00:00Z", "2026-01-01T03:00:00Z"]),
        CronFireCase("*/10 * * * * *", after: "2026-01-01T00:00:00Z",
                 ["2026-01-01T00:00:10Z", "2026-01-01T00:00:20Z", "2026-01-01T00:00:30Z"]),
        CronFireCase("0 0 8-10 * * *", after: "2026-01-01T00:00:00Z",
                 ["2026-01-01T08:00:00Z", "2026-01-01T09:00:00Z", "2026-01-01T10:00:00Z", "2026-01-02T08:00:00Z"]),
        CronFireCase("0 0 6,19 * * *", after: "2026-01-01T00:00:00Z",
                 ["2026-01-01T06:00:00Z", "2026-01-01T19:00:00Z", "2026-01-02T06:00:00Z"]),
        CronFireCase("0 0/30 8-10 * * *", after: "2026-01-01T00:00:00Z",
                 ["2026-01-01T08:00:00Z", "2026-01-01T08:30:00Z", "2026-01-01T09:00:00Z", "2026-01-01T09:30:00Z",
                  "2026-01-01T10:00:00Z", "2026-01-01T10:30:00Z", "2026-01-02T08:00:00Z"]),
        // 2026-01-02 is a Friday.
        CronFireCase("0 0 9-17 * * MON-FRI", after: "2026-01-02T16:30:00Z",
                 ["2026-01-02T17:00:00Z", "2026-01-05T09:00:00Z", "2026-01-05T10:00:00Z"]),
        CronFireCase("0 0 0 25 DEC ?", after: "2026-01-01T00:00:00Z",
                 ["2026-12-25T00:00:00Z", "2027-12-25T00:00:00Z"]),
        CronFireCase("0 0 0 L * *", after: "2026-01-01T00:00:00Z",
                 ["2026-01-31T00:00:00Z", "2026-02-28T00:00:00Z", "2026-03-31T00:00:00Z", "2026-04-30T00:00:00Z"]),
        CronFireCase("0 0 0 L-3 * *", after: "2026-01-01T00:00:00Z",
                 ["2026-01-28T00:00:00Z", "2026-02-25T00:00:00Z", "2026-03-28T00:00:00Z", "2026-04-27T00:00:00Z"]),
        // Feb 1 and Mar 1 2026 are Sundays: the nearest weekday is the Monday after.
        CronFireCase("0 0 0 1W * *", after: "2025-12-31T00:00:00Z",
                 ["2026-01-01T00:00:00Z", "2026-02-02T00:00:00Z", "2026-03-02T00:00:00Z", "2026-04-01T00:00:00Z"]),
        // Jan 31 and Feb 28 2026 are Saturdays.
        CronFireCase("0 0 0 LW * *", after: "2026-01-01T00:00:00Z",
                 ["2026-01-30T00:00:00Z", "2026-02-27T00:00:00Z", "2026-03-31T00:00:00Z"]),
        CronFireCase("0 0 0 * * 5L", after: "2026-01-01T00:00:00Z",
                 ["2026-01-30T00:00:00Z", "2026-02-27T00:00:00Z", "2026-03-27T00:00:00Z"]),
        CronFireCase("0 0 0 ? * MON#1", after: "2026-01-01T00:00:00Z",
                 ["2026-01-05T00:00:00Z", "2026-02-02T00:00:00Z", "2026-03-02T00:00:00Z"]),
    ]

    @Test(arguments: springJavadoc)
    func springJavadocExamplesFireAsDocumented(_ c: CronFireCase) {
        #expect(CronFixture.fires(c.expression, after: c.after, zone: c.zone, count: c.expected.count) == c.expected)
    }

    /// Every special character and form, including cases from Spring's CronExpressionTests.
    static let specialCharacters: [CronFireCase] = [
        CronFireCase("5/15 * * * * *", after: "2026-01-01T00:00:00Z",
                 ["2026-01-01T00:00:05Z", "2026-01-01T00:00:20Z", "2026-01-01T00:00:35Z", "2026-01-01T00:00:50Z",
                  "2026-01-01T00:01:05Z"]),
        CronFireCase("10-40/10 * * * * *", after: "2026-01-01T00:00:00Z",
                 ["2026-01-01T00:00:10Z", "2026-01-01T00:00:20Z", "2026-01-01T00:00:30Z", "2026-01-01T00:00:40Z",
                  "2026-01-01T00:01:10Z"]),
        // A step past the range keeps only the start (Spring accepts it).
        CronFireCase("0 */90 * * * *", after: "2026-01-01T00:00:00Z", ["2026-01-01T01:00:00Z"]),
        CronFireCase("1,2,3 0 0 * * *", after: "2026-01-01T00:00:02Z",
                 ["2026-01-01T00:00:03Z", "2026-01-02T00:00:01Z"]),
        CronFireCase("0 0 12 1 jan,Jul *", after: "2026-01-01T00:00:00Z",
                 ["2026-01-01T12:00:00Z", "2026-07-01T12:00:00Z", "2027-01-01T12:00:00Z"]),
        CronFireCase("0 0 12 * * sun", after: "2026-01-01T00:00:00Z",
                 ["2026-01-04T12:00:00Z", "2026-01-11T12:00:00Z"]),
        CronFireCase("0 0 12 * * 0", after: "2026-01-01T00:00:00Z",
                 ["2026-01-04T12:00:00Z", "2026-01-11T12:00:00Z"]),
        CronFireCase("0 0 12 * * 7", after: "2026-01-01T00:00:00Z",
                 ["2026-01-04T12:00:00Z", "2026-01-11T12:00:00Z"]),
        // Sunday as a range start is 0: SUN-TUE is Sunday to Tuesday.
        CronFireCase("0 0 12 * * SUN-TUE", after: "2026-01-01T00:00:00Z",
                 ["2026-01-04T12:00:00Z", "2026-01-05T12:00:00Z", "2026-01-06T12:00:00Z", "2026-01-11T12:00:00Z"]),
        CronFireCase("0 0 12 * * FRI-SUN", after: "2026-01-01T00:00:00Z",
                 ["2026-01-02T12:00:00Z", "2026-01-03T12:00:00Z", "2026-01-04T12:00:00Z", "2026-01-09T12:00:00Z"]),
        // Spring's day-of-week `*` spans MON(1)-SUN(7): */2 is Mon, Wed, Fri, Sun.
        CronFireCase("0 0 12 ? * */2", after: "2026-01-05T00:00:00Z",
                 ["2026-01-05T12:00:00Z", "2026-01-07T12:00:00Z", "2026-01-09T12:00:00Z", "2026-01-11T12:00:00Z"]),
        CronFireCase("0 0 0 15W * *", after: "2026-02-01T00:00:00Z",
                 ["2026-02-16T00:00:00Z", "2026-03-16T00:00:00Z", "2026-04-15T00:00:00Z"]),
        CronFireCase("0 0 0 15W 8 *", after: "2026-01-01T00:00:00Z", ["2026-08-14T00:00:00Z"]),
        // Aug 1 2026 is a Saturday: 1W never leaves the month, so Monday the 3rd.
        CronFireCase("0 0 0 1W 8 *", after: "2026-01-01T00:00:00Z", ["2026-08-03T00:00:00Z"]),
        // May 31 2026 is a Sunday and the last day: 31W is Friday the 29th.
        CronFireCase("0 0 0 31W 5 *", after: "2026-01-01T00:00:00Z", ["2026-05-29T00:00:00Z"]),
        CronFireCase("0 0 0 ? * THU#5", after: "2026-01-01T00:00:00Z",
                 ["2026-01-29T00:00:00Z", "2026-04-30T00:00:00Z", "2026-07-30T00:00:00Z", "2026-10-29T00:00:00Z",
                  "2026-12-31T00:00:00Z"]),
        CronFireCase("0 0 0 ? * FRIL", after: "2026-01-01T00:00:00Z",
                 ["2026-01-30T00:00:00Z", "2026-02-27T00:00:00Z"]),
        CronFireCase("0 0 0 1,L * *", after: "2026-01-01T00:00:00Z",
                 ["2026-01-31T00:00:00Z", "2026-02-01T00:00:00Z", "2026-02-28T00:00:00Z", "2026-03-01T00:00:00Z"]),
        // Six fields: both day fields must match (Friday the 13th).
        CronFireCase("0 0 0 13 * FRI", after: "2026-01-01T00:00:00Z",
                 ["2026-02-13T00:00:00Z", "2026-03-13T00:00:00Z", "2026-11-13T00:00:00Z"]),
        CronFireCase("0 0 0 29 2 *", after: "2026-01-01T00:00:00Z",
                 ["2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z", "2036-02-29T00:00:00Z"]),
        // 2100 is not a leap year.
        CronFireCase("0 0 0 29 2 *", after: "2097-01-01T00:00:00Z",
                 ["2104-02-29T00:00:00Z"]),
        // Feb 29 on a Monday: 2044, 2072, then 2112 across the skipped 2100.
        CronFireCase("0 0 0 29 2 MON", after: "2026-01-01T00:00:00Z",
                 ["2044-02-29T00:00:00Z", "2072-02-29T00:00:00Z", "2112-02-29T00:00:00Z"]),
        CronFireCase("0 0 0 31 * *", after: "2026-01-31T00:00:00Z",
                 ["2026-03-31T00:00:00Z", "2026-05-31T00:00:00Z", "2026-07-31T00:00:00Z", "2026-08-31T00:00:00Z"]),
        CronFireCase("59 59 23 31 12 *", after: "2026-12-31T23:59:58Z", ["2026-12-31T23:59:59Z", "2027-12-31T23:59:59Z"]),
        // Strictly after: an instant exactly on a fire, or a millisecond before it.
        CronFireCase("0 0 0 * * *", after: "2026-01-01T00:00:00Z", ["2026-01-02T00:00:00Z"]),
        CronFireCase("0 0 0 * * *", after: "2026-01-01T23:59:59.999Z", ["2026-01-02T00:00:00Z"]),
    ]

    @Test(arguments: specialCharacters)
    func specialCharactersFireAsSpringDoes(_ c: CronFireCase) {
        #expect(CronFixture.fires(c.expression, after: c.after, zone: c.zone, count: c.expected.count) == c.expected)
    }

    @Test(arguments: [
        ("@yearly", "0 0 0 1 1 *"), ("@annually", "0 0 0 1 1 *"), ("@monthly", "0 0 0 1 * *"),
        ("@weekly", "0 0 0 * * 0"), ("@daily", "0 0 0 * * *"), ("@midnight", "0 0 0 * * *"),
        ("@hourly", "0 0 * * * *"), ("@HOURLY", "0 0 * * * *"),
    ])
    func macrosFireLikeTheirExpansion(_ macro: String, _ expansion: String) {
        let a = CronFixture.fires(macro, after: "2026-01-01T00:00:00Z", count: 4)
        #expect(a.count == 4)
        #expect(a == CronFixture.fires(expansion, after: "2026-01-01T00:00:00Z", count: 4))
    }

    /// crontab(5)'s examples: five fields, seconds 0, and either day field may match.
    static let crontab: [CronFireCase] = [
        // "run five minutes after midnight, every day"
        CronFireCase("5 0 * * *", after: "2026-01-01T00:00:00Z", ["2026-01-01T00:05:00Z", "2026-01-02T00:05:00Z"]),
        // "run at 2:15pm on the first of every month"
        CronFireCase("15 14 1 * *", after: "2026-01-01T00:00:00Z", ["2026-01-01T14:15:00Z", "2026-02-01T14:15:00Z"]),
        // "run at 10 pm on weekdays"
        CronFireCase("0 22 * * 1-5", after: "2026-01-02T23:00:00Z", ["2026-01-05T22:00:00Z", "2026-01-06T22:00:00Z"]),
        // "run 23 minutes after midn, 2am, 4am ..., everyday"
        CronFireCase("23 0-23/2 * * *", after: "2026-01-01T00:00:00Z",
                 ["2026-01-01T00:23:00Z", "2026-01-01T02:23:00Z", "2026-01-01T04:23:00Z"]),
        // "run at 5 after 4 every sunday"
        CronFireCase("5 4 * * sun", after: "2026-01-01T00:00:00Z", ["2026-01-04T04:05:00Z", "2026-01-11T04:05:00Z"]),
        // "at 4:30 am on the 1st and 15th of each month, plus every Friday"
        CronFireCase("30 4 1,15 * 5", after: "2026-01-01T00:00:00Z",
                 ["2026-01-01T04:30:00Z", "2026-01-02T04:30:00Z", "2026-01-09T04:30:00Z", "2026-01-15T04:30:00Z",
                  "2026-01-16T04:30:00Z", "2026-01-23T04:30:00Z", "2026-01-30T04:30:00Z", "2026-02-01T04:30:00Z"]),
        // "run every 4th hour on the 1st and on every Monday"
        CronFireCase("0 */4 1 * mon", after: "2026-01-01T20:00:00Z",
                 ["2026-01-05T00:00:00Z", "2026-01-05T04:00:00Z"]),
        // One day field unrestricted: plain AND.
        CronFireCase("0 12 * * 1", after: "2026-01-01T00:00:00Z", ["2026-01-05T12:00:00Z"]),
        // A field starting with * counts as unrestricted (cronie), so this is AND:
        // crontab's day-of-week * spans 0-7, so */2 is Sun, Tue, Thu, Sat.
        // 2026-01-01 is a Thursday, Feb 1 and Mar 1 Sundays, Aug 1 a Saturday.
        CronFireCase("0 12 1 * */2", after: "2025-12-31T00:00:00Z",
                 ["2026-01-01T12:00:00Z", "2026-02-01T12:00:00Z", "2026-03-01T12:00:00Z", "2026-08-01T12:00:00Z"]),
        CronFireCase("0 0 * * 7", after: "2026-01-01T00:00:00Z", ["2026-01-04T00:00:00Z"]),
    ]

    @Test(arguments: crontab)
    func crontabLinesFollowCrontab5(_ c: CronFireCase) {
        #expect(CronFixture.fires(c.expression, after: c.after, zone: c.zone, count: c.expected.count) == c.expected)
    }

    @Test func nextFiresListsConsecutiveFires() throws {
        let c = try CronExpression(parsing: "0 0 12 * * MON-FRI")
        let list = c.nextFires(after: CronFixture.instant("2026-01-02T13:00:00Z"), in: .utc, count: 3)
        #expect(list.map { $0.iso8601(in: .utc) } == ["2026-01-05T12:00:00Z", "2026-01-06T12:00:00Z", "2026-01-07T12:00:00Z"])
        #expect(c.nextFires(after: CronFixture.instant("2026-01-02T13:00:00Z"), in: .utc, count: 0).isEmpty)
    }

    @Test func fiveFieldLinesAreMarkedAsCrontab() throws {
        #expect(try CronExpression(parsing: "0 0 * * *").isCrontab)
        #expect(try !CronExpression(parsing: "0 0 0 * * *").isCrontab)
        #expect(try CronExpression(parsing: "  0 0 0 * * *\t").expression == "0 0 0 * * *")
    }
}
