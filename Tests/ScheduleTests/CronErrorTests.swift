@testable import Schedule
import Testing

struct CronErrorTests {
    struct Refusal: CustomTestStringConvertible, Sendable {
        let expression: String
        let kind: CronError.Kind
        let field: Int?
        /// A fragment the message must contain.
        let says: String
        var testDescription: String { expression }
    }

    static let refusals: [Refusal] = [
        Refusal(expression: "0 0 0 30 2 *", kind: .neverFires, field: 4,
                says: "cron \"0 0 0 30 2 *\": field 4 (day of month): day 30 never occurs in FEB (at most 29 days)"),
        Refusal(expression: "0 0 0 31 4 *", kind: .neverFires, field: 4, says: "never occurs in APR (at most 30 days)"),
        // Six fields: day of month AND day of week, so a weekday cannot rescue Feb 30.
        Refusal(expression: "0 0 0 30 2 FRI", kind: .neverFires, field: 4, says: "never occurs in FEB"),
        Refusal(expression: "0 0 0 31 2,4,6 *", kind: .neverFires, field: 4, says: "FEB,APR,JUN"),
        Refusal(expression: "0 0 30 2 *", kind: .neverFires, field: 3, says: "field 3 (day of month)"),
        Refusal(expression: "0 0 0 1 * MON#5", kind: .neverFires, field: 6, says: "never coincide"),
        Refusal(expression: "0 0 0 L-30 2 *", kind: .neverFires, field: 6, says: "would never fire"),
        Refusal(expression: "60 * * * * *", kind: .syntax, field: 1, says: "field 1 (second): value 60 is out of range 0-59"),
        Refusal(expression: "* 60 * * * *", kind: .syntax, field: 2, says: "field 2 (minute)"),
        Refusal(expression: "* * 24 * * *", kind: .syntax, field: 3, says: "field 3 (hour): value 24 is out of range 0-23"),
        Refusal(expression: "* * * 32 * *", kind: .syntax, field: 4, says: "out of range 1-31"),
        Refusal(expression: "* * * 0 * *", kind: .syntax, field: 4, says: "out of range 1-31"),
        Refusal(expression: "* * * * 13 *", kind: .syntax, field: 5, says: "field 5 (month)"),
        Refusal(expression: "* * * * FOO *", kind: .syntax, field: 5, says: "\"FOO\" is not a number or a name JAN-DEC"),
        Refusal(expression: "* * * * * 8", kind: .syntax, field: 6, says: "out of range 0-7"),
        Refusal(expression: "* * * * * FUN", kind: .syntax, field: 6, says: "SUN-SAT"),
        Refusal(expression: "*/0 * * * * *", kind: .syntax, field: 1, says: "must be 1 or more"),
        Refusal(expression: "*/x * * * * *", kind: .syntax, field: 1, says: "is not a number"),
        Refusal(expression: "5-1 * * * * *", kind: .syntax, field: 1, says: "runs backwards"),
        Refusal(expression: "1,,2 * * * * *", kind: .syntax, field: 1, says: "empty list element"),
        Refusal(expression: "? * * * * *", kind: .syntax, field: 1, says: "only allowed in the day-of-month and day-of-week"),
        Refusal(expression: "0 0 0 L-0 * *", kind: .syntax, field: 4, says: "L-"),
        Refusal(expression: "0 0 0 L-31 * *", kind: .syntax, field: 4, says: "from 1 to 30"),
        Refusal(expression: "0 0 0 32W * *", kind: .syntax, field: 4, says: "before W"),
        Refusal(expression: "0 0 0 WL * *", kind: .syntax, field: 4, says: "not understood"),
        Refusal(expression: "0 0 0 ? * L", kind: .syntax, field: 6, says: "needs a day before it"),
        Refusal(expression: "0 0 0 ? * MON#6", kind: .syntax, field: 6, says: "must be 1-5"),
        Refusal(expression: "0 0 0 ? * #2", kind: .syntax, field: 6, says: "is not a number"),
        Refusal(expression: "-1 * * * * *", kind: .syntax, field: 1, says: "\"-1\" is not a number"),
        Refusal(expression: "60 * * * *", kind: .syntax, field: 1, says: "field 1 (minute)"),
        Refusal(expression: "* * * * 8", kind: .syntax, field: 5, says: "field 5 (day of week)"),
        Refusal(expression: "0 0 * *", kind: .syntax, field: nil, says: "expected 6 fields"),
        Refusal(expression: "0 0 0 * * * *", kind: .syntax, field: nil, says: "found 7"),
        Refusal(expression: "", kind: .syntax, field: nil, says: "found 0"),
        Refusal(expression: "@reboot", kind: .syntax, field: nil, says: "unknown macro @reboot"),
    ]

    @Test(arguments: refusals)
    func malformedOrNeverFiringExpressionsAreRefusedNamingTheField(_ r: Refusal) {
        do {
            let c = try CronExpression(parsing: r.expression)
            Issue.record("accepted \(r.expression) as \(c)")
        } catch {
            #expect(error.kind == r.kind)
            #expect(error.field == r.field)
            #expect(error.description.contains(r.says), "\(error.description)")
            #expect(error.description.hasPrefix("cron \"\(r.expression)\""))
        }
    }

    @Test(arguments: ["0 0 0 29 2 *", "0 0 0 29 2 MON", "0 0 0 31 * *", "0 0 0 ? * THU#5", "0 0 0 L-30 * *",
                      "0 0 30 2 5"])
    func rareButPossibleExpressionsAreAccepted(_ expression: String) throws {
        let c = try CronExpression(parsing: expression)
        #expect(c.next(after: Instant(millisecondsSinceEpoch: 0), in: .utc) != nil)
    }
}
