// libFuzzer entry point for the cron parser (Sources/Schedule/CronParser.swift),
// compiled by fuzz/run.sh together with all of Sources/Schedule. An expression that parses
// must also compute its next fires, in UTC and in a zone with daylight-saving changes,
// each strictly after the last and never in the past of the instant asked about.

let berlin: ZoneRules = (try? ZoneRules.named("Europe/Berlin")) ?? .fixed(offsetSeconds: 3600)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    // The first byte picks the start instant; the rest is the expression.
    guard size > 0 else { return 0 }
    let text = String(decoding: UnsafeBufferPointer(start: data + 1, count: size - 1), as: UTF8.self)
    guard let cron = try? CronExpression(parsing: text) else { return 0 }
    // 2024-03-31 00:00 UTC (a spring-forward night in Berlin) plus up to 255 days.
    let start = Instant(secondsSinceEpoch: 1_711_843_200 + Int64(data[0]) * 86_400)
    for zone in [ZoneRules.utc, berlin] {
        var last = start
        for fire in cron.nextFires(after: start, in: zone, count: 4) {
            check(fire > last, "\(text): fire \(fire) not after \(last) in \(zone)")
            last = fire
        }
    }
    _ = try? CronExpression(parsing: cron.description)
    return 0
}
