import Foundation
import Testing
@testable import Worker

struct WorkerClockTests {
    @Test func isoTextIsWhatTheFormatStyleWrites() {
        var dates = [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1_795_627_059.137), Date(timeIntervalSince1970: 951_782_400.5),
                     Date(timeIntervalSince1970: 4_102_444_799.999), Date()]
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200 { dates.append(Date(timeIntervalSince1970: Double(Int64.random(in: 0..<4_102_444_800_000, using: &rng)) / 1000)) }
        for d in dates {
            #expect(WorkerClock.iso(d) == d.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)), "\(d.timeIntervalSince1970)")
        }
    }
}
