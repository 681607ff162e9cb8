// Prints the fires of a cron expression in a zone between two UTC instants, one
// ISO 8601 line each; crosscheck.py compares them with an oracle built on
// Python's zoneinfo.
let args = CommandLine.arguments
let cron = try! CronExpression(parsing: args[1])
let zone = try! ZoneRules.named(args[2])
var t = try! Instant(iso8601: args[3], zone: .utc)
let end = try! Instant(iso8601: args[4], zone: .utc)
var out = ""
while let n = cron.next(after: t, in: zone), n <= end {
    out += n.iso8601(in: .utc) + "\n"
    t = n
}
print(out, terminator: "")
