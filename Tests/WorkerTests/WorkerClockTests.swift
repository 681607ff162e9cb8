import Foundation
import Testing
@testable import Worker

struct WorkerClockTests {
    /// The text reads back as the same instant, to the millisecond, as ISO 8601 with fractional seconds.
    @Test func isoTextIsISO8601ToTheMillisecond() throws {
        var dates = [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1_795_627_059.137), Date(timeIntervalSince1970: 951_782_400.5),
                     Date(timeIntervalSince1970: 4_102_444_799.999), Date()]
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200 { dates.append(Date(timeIntervalSince1970: Double(Int64.random(in: 0..<4_102_444_800_000, using: &rng)) / 1000)) }
        let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        for d in dates {
            let text = WorkerClock.iso(d)
            #expect(text.count == 24 && text.hasSuffix("Z"), "\(text)")
            let back = try style.parse(text)
            #expect(abs(back.timeIntervalSince1970 - d.timeIntervalSince1970) < 0.001, "\(text) for \(d.timeIntervalSince1970)")
        }
    }
}
