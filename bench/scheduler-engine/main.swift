// Next-fire computations per second, release build of the schedule engine's
// sources alone (compiled by run.sh; not part of the package).
import Foundation

func bench(_ expression: String, zone id: String, iterations: Int) throws {
    let cron = try CronExpression(parsing: expression)
    let zone = try ZoneRules.named(id)
    var t = try Instant(iso8601: "2026-01-01T00:00:00", zone: zone)
    let begin = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<iterations {
        guard let n = cron.next(after: t, in: zone) else { fatalError("no next fire for \(expression)") }
        t = n
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - begin) / 1e9
    let rate = Double(iterations) / seconds
    print("\(expression.padding(toLength: 16, withPad: " ", startingAt: 0)) \(id.padding(toLength: 20, withPad: " ", startingAt: 0)) \(iterations) next() in \(String(format: "%.3f", seconds)) s = \(Int(rate)) /s (last \(t.iso8601(in: zone)))")
}

func benchParse(_ expression: String, iterations: Int) throws {
    let begin = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<iterations { _ = try CronExpression(parsing: expression) }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - begin) / 1e9
    print("parse \(expression): \(Int(Double(iterations) / seconds)) /s")
}

/// Refusing a never-firing expression scans a whole 400-year cycle.
func benchRefusal(_ expression: String, iterations: Int) throws {
    let begin = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<iterations { _ = try? CronExpression(parsing: expression) }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - begin) / 1e9
    print("refuse \(expression): \(String(format: "%.3f", seconds * 1000 / Double(iterations))) ms each")
}

do {
    try bench("0 0 2 * * *", zone: "Asia/Seoul", iterations: 200_000)
    try bench("*/5 * * * * *", zone: "Asia/Seoul", iterations: 200_000)
    try bench("0 0 2 * * *", zone: "America/New_York", iterations: 200_000)
    try bench("*/5 * * * * *", zone: "America/New_York", iterations: 200_000)
    try bench("0 0 0 ? * MON#2", zone: "Europe/Berlin", iterations: 100_000)
    try benchParse("0 0 2 * * *", iterations: 5_000)
    try benchRefusal("0 0 0 30 2 *", iterations: 200)
} catch {
    print("error: \(error)")
}
