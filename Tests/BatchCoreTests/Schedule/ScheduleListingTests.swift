import BatchCore
import Testing

struct ScheduleListingTests {
    static let now = Instant(secondsSinceEpoch: 1_767_225_600)  // 2026-01-01T00:00:00Z

    @Test func listsFiresWithTheOffsetInEffectAcrossASpringForwardGap() throws {
        let fires = try ScheduleListing.nextFires(expression: "0 0 * * * *", from: "2026-03-08T00:30:00",
                                                  now: Self.now, count: 3, zone: "America/New_York")
        #expect(fires == ["2026-03-08T01:00:00-05:00", "2026-03-08T03:00:00-04:00", "2026-03-08T04:00:00-04:00"])
    }

    @Test func startsFromNowWhenNoTimeIsGiven() throws {
        let fires = try ScheduleListing.nextFires(expression: "0 0 2 * * *", from: nil, now: Self.now, count: 2,
                                                  zone: "Asia/Seoul")
        // Now is 09:00 in Seoul: the first 02:00 is tomorrow's.
        #expect(fires == ["2026-01-02T02:00:00+09:00", "2026-01-03T02:00:00+09:00"])
    }

    @Test func writesZForUTC() throws {
        let fires = try ScheduleListing.nextFires(expression: "*/30 * * * * *", from: nil, now: Self.now, count: 2)
        #expect(fires == ["2026-01-01T00:00:30Z", "2026-01-01T00:01:00Z"])
    }

    @Test(arguments: [
        ("0 0 0 30 2 *", "UTC", nil as String?, 1, CronError.Kind.neverFires),
        ("bad", "UTC", nil, 1, .syntax),
        ("* * * * * *", "Mars/Olympus", nil, 1, .zone),
        ("* * * * * *", "UTC", "yesterday", 1, .time),
        ("* * * * * *", "UTC", nil, 0, .time),
    ])
    func refusesWhatItCannotList(expression: String, zone: String, from: String?, count: Int, kind: CronError.Kind) {
        #expect { try ScheduleListing.nextFires(expression: expression, from: from, now: Self.now, count: count, zone: zone) }
            throws: { ($0 as? CronError)?.kind == kind }
    }
}
