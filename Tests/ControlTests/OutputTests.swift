@testable import Control
import Testing

@Suite struct TextTableTests {
    @Test func columnsAlignAndNumbersAlignRight() {
        var t = TextTable([.init("NAME"), .init("COUNT", right: true)])
        t.add(["queued", "3"])
        t.add(["succeeded", "120"])
        #expect(t.render() == ["NAME       COUNT", "queued         3", "succeeded    120"])
    }

    @Test func flexibleColumnsShrinkWithAnEllipsisToFitTheWidth() {
        var t = TextTable([.init("ID"), .init("WORKER", flexible: true, minWidth: 8), .init("STATE")])
        t.add(["01KMX6ZQ8Z0000000000000000", String(repeating: "w", count: 70), "running"])
        let lines = t.render(width: 80)
        #expect(lines.allSatisfy { $0.count <= 80 })
        #expect(lines[1].contains("…"))
        #expect(lines[1].hasSuffix("running"))
    }

    @Test func tableWiderThanItsFixedColumnsIsLeftAsIs() {
        var t = TextTable([.init(String(repeating: "A", count: 50)), .init(String(repeating: "B", count: 50))])
        t.add(["a", "b"])
        #expect(t.render(width: 80)[0].count == 102)
    }

    @Test func noTrailingSpaces() {
        var t = TextTable([.init("A"), .init("B")])
        t.add(["long value", ""])
        #expect(t.render().allSatisfy { !$0.hasSuffix(" ") })
    }
}

@Suite struct RelativeTimeTests {
    @Test(arguments: [
        (Int64(0), "0ms"), (850, "850ms"), (1_000, "1s"), (42_000, "42s"), (185_000, "3m05s"),
        (7_800_000, "2h10m"), (273_600_000, "3d4h"), (-5, "0ms"),
    ])
    func durations(ms: Int64, text: String) {
        #expect(RelativeTime.duration(ms) == text)
    }

    @Test func pastFutureAndNow() {
        #expect(RelativeTime.ago(10_000, now: 13_000) == "3s ago")
        #expect(RelativeTime.ago(313_000, now: 13_000) == "in 5m00s")
        #expect(RelativeTime.ago(12_500, now: 13_000) == "now")
    }
}

@Suite struct LogCursorTests {
    @Test(arguments: [
        // (seen before, read now, new lines)
        ([String](), ["a", "b"], ["a", "b"]),
        (["a", "b"], ["a", "b", "c"], ["c"]),
        (["a", "b"], ["a", "b"], []),
        // Trimmed at the front while new lines came.
        (["a", "b", "c"], ["b", "c", "d", "e"], ["d", "e"]),
        (["a", "b", "c"], ["c", "d"], ["d"]),
        // Everything seen was trimmed away: all of it is new.
        (["a", "b"], ["x", "y"], ["x", "y"]),
        // Repeated lines: the smallest drop is taken.
        (["x", "x"], ["x", "x", "x"], ["x"]),
    ])
    func newLinesAfterAppendAndTrim(before: [String], now: [String], new: [String]) {
        var c = LogCursor()
        _ = c.advance(to: before)
        #expect(c.advance(to: now) == new)
        #expect(c.seen == now)
    }
}

@Suite struct StyleTests {
    @Test(arguments: [
        ([String: String](), true, true),
        (["NO_COLOR": ""], true, true),  // no-color.org: an empty value does not count
        (["NO_COLOR": "1"], true, false),
        (["TERM": "dumb"], true, false),
        ([String: String](), false, false),
    ])
    func colourOnlyOnATerminalWithoutNoColor(env: [String: String], tty: Bool, colour: Bool) {
        let s = Style.detect(environment: env, isTerminal: tty)
        #expect(s.enabled == colour)
        #expect(s.paint("failed", .bad) == (colour ? "\u{1B}[31mfailed\u{1B}[0m" : "failed"))
    }
}
