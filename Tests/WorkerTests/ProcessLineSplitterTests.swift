import Testing
@testable import Worker

struct ProcessLineSplitterTests {
    private func split(_ chunks: [String], max: Int = 100, admitted: Int = .max) -> [SplitResult] {
        var splitter = LineSplitter(maxLineBytes: max)
        var results: [SplitResult] = []
        var admits = 0
        for chunk in chunks {
            Array(chunk.utf8).withUnsafeBytes { raw in
                splitter.feed(raw, admit: { admits += 1; return admits <= admitted }, emit: { results.append($0) })
            }
        }
        splitter.finish { results.append($0) }
        return results
    }

    private func line(_ s: String, truncated: Bool = false) -> SplitResult { .line(Array(s.utf8), truncated: truncated) }

    @Test(arguments: [
        (["a\nb\n"], ["a", "b"]),
        (["a", "b\nc", "\n"], ["ab", "c"]),
        (["no newline at end"], ["no newline at end"]),
        (["crlf\r\n", "\n"], ["crlf", ""]),
        ([""], []),
        (["\n\n"], ["", ""]),
    ])
    func splitsLinesAcrossChunks(chunks: [String], expected: [String]) {
        #expect(split(chunks) == expected.map { line($0) })
    }

    @Test func cutsALongLineAndSkipsItsRest() {
        #expect(split(["abcdefghij", "klm\nnext\n"], max: 4) == [
            line("abcd", truncated: true), .cut(bytes: 6), .cut(bytes: 3), line("next"),
        ])
    }

    @Test func cutsOnACharacterBoundary() {
        // "aé" is 61 C3 A9: a cut after 2 bytes would split the é.
        #expect(split(["aé\n"], max: 2) == [line("a", truncated: true), .cut(bytes: 2)])
    }

    @Test func refusedLinesAreCountedNotStored() {
        #expect(split(["one\ntwo\nthree\n"], admitted: 1) == [line("one"), .dropped(bytes: 3), .dropped(bytes: 5)])
    }
}

struct ProcessLineBudgetTests {
    @Test func allowsPerSecondThenRefusesUntilTheNextSecond() {
        var budget = LineBudget(perSecond: 2)
        let start: UInt64 = 5_000_000_000
        let answers = [start, start + 1, start + 999_999_999, start + 1_000_000_000].map { budget.admit(now: $0) }
        #expect(answers == [true, true, false, true])
    }
}

struct ProcessProgressLineTests {
    @Test(arguments: [
        ("::progress 40", 40), ("::progress 0", 0), ("::progress 100", 100), ("::progress 7 ", 7),
        ("::progress 101", nil), ("::progress -1", nil), ("::progress", nil), ("::progress 4x", nil),
        ("progress 40", nil), ("::progress 0040", nil),
    ] as [(String, Int?)])
    func parsesProgressLines(text: String, expected: Int?) {
        #expect(ProgressLine.parse(Array(text.utf8)) == expected)
    }
}
