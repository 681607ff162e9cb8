import Testing

/// The checker the fleet tests rely on: it must see overlaps, gaps and torn lines.
struct AttemptLogTests {
    @Test(arguments: [
        // (log, moment unended runs were seen dead, overlapping pairs)
        ("start a 1 10 100\nend a 1 10 200\nstart a 2 11 300\nend a 2 11 400", Int64(0), 0),
        ("start a 1 10 100\nstart a 2 11 150\nend a 1 10 200\nend a 2 11 400", 0, 1),
        ("start a 1 10 100\nstart a 2 11 300\nend a 2 11 400", 250, 0),
        ("start a 1 10 100\nstart a 2 11 300\nend a 2 11 400", 350, 1),
        ("start a 1 10 100\nstart b 1 11 150\nend a 1 10 200\nend b 1 11 400", 0, 0),
        ("start a 1 10 100\nstart a 1 11 120\nend a 1 10 200\nend a 1 11 210", 0, 1),
    ])
    func overlapsOfOneExecutionAreFound(log: String, deadAt: Int64, expected: Int) {
        #expect(AttemptLog(text: log).overlaps(unendedUntil: deadAt).count == expected)
    }

    @Test func tornOrUnmatchedLinesAreReported() {
        let log = AttemptLog(text: "start a 1 10 100\nend a 1 10\nend b 1 12 300\nstart a 1 10 10start b")
        #expect(log.malformed.count == 3)
        #expect(log.runs.count == 1 && log.runs[0].end == nil)
    }

    @Test func runsAreGroupedByExecutionInStartOrder() {
        let log = AttemptLog(text: "start b 1 11 150\nstart a 2 12 300\nstart a 1 10 100\nend a 1 10 200")
        #expect(log.byID["a"]?.map(\.attempt) == [1, 2])
        #expect(log.byID["a"]?.first?.end == 200)
        #expect(log.byID["b"]?.count == 1)
    }
}
