@testable import Schedule
import Testing

/// Helpers of the schedule engine tests, in a namespace so they cannot clash with other suites.
enum CronFixture {
    /// Loads a zone from the system tz database; tests fail (not skip) without it.
    static func zone(_ id: String) -> ZoneRules {
        do {
            return try ZoneRules.named(id)
        } catch {
            Issue.record("cannot load zone \(id): \(error)")
            return .utc
        }
    }

    static func instant(_ text: String, _ z: ZoneRules = .utc) -> Instant {
        do {
            return try Instant(iso8601: text, zone: z)
        } catch {
            Issue.record("bad test instant \(text): \(error)")
            return Instant(millisecondsSinceEpoch: 0)
        }
    }

    /// The next `count` fires of `expression` after `start`, as ISO 8601 text in `zoneID`.
    static func fires(_ expression: String, after start: String, zone zoneID: String = "UTC", count: Int) -> [String] {
        let z = CronFixture.zone(zoneID)
        let cron: CronExpression
        do {
            cron = try CronExpression(parsing: expression)
        } catch {
            Issue.record("\(error)")
            return []
        }
        var t = CronFixture.instant(start, z)
        var out: [String] = []
        for _ in 0..<count {
            guard let n = cron.next(after: t, in: z) else { break }
            #expect(n > t, "next fire must be strictly after \(t)")
            out.append(n.iso8601(in: z))
            t = n
        }
        return out
    }
}
