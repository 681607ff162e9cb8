import Foundation
import Testing
@testable import Console

struct FormatTests {
    @Test(arguments: [
        (0.0, "0ms"), (0.85, "850ms"), (12.34, "12.3s"), (59.96, "60.0s"), (245, "4m05s"),
        (7380, "2h03m"), (273_600, "3d04h"), (-5, "0ms"),
    ])
    func durationsUseAtMostTwoUnits(seconds: Double, text: String) {
        #expect(Format.duration(seconds) == text)
    }

    @Test(arguments: [
        (1_764_072_000.0, "UTC", "11-25 12:00:00"),
        (1_764_072_000.0, "Asia/Seoul", "11-25 21:00:00"),
        (1_709_208_000.0, "UTC", "02-29 12:00:00"),      // a leap day
        (-1.0, "UTC", "12-31 23:59:59"),                 // before the epoch
        (1_764_028_800.0, "America/New_York", "11-24 19:00:00"),
    ])
    func datesAreShownOnTheZonesWallClock(epoch: Double, zone: String, text: String) {
        let d = Date(timeIntervalSince1970: epoch)
        #expect(Format.dateTime(d, TimeZone(identifier: zone)!) == text)
        #expect(Format.clock(d, TimeZone(identifier: zone)!) == String(text.suffix(8)))
    }

    @Test func percentRateAndIds() {
        #expect(Format.percent(0.975) == "97.5%")
        #expect(Format.percent(0) == "0.0%")
        #expect(Format.percent(1) == "100.0%")
        #expect(Format.rate(1.25) == "1.25/s")
        #expect(Format.rate(250) == "250/s")
        #expect(Format.id("01KAXS7M0000000000000000ZZ", width: 26) == "01KAXS7M0000000000000000ZZ")
        #expect(Format.id("01KAXS7M0000000000000000ZZ", width: 8) == "…00000ZZ")
    }
}
