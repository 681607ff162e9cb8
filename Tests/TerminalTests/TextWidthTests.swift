import Testing
@testable import Terminal

struct TextWidthTests {
    @Test(arguments: [
        ("abc", 3),
        ("", 0),
        ("日本語", 6),
        ("e\u{301}", 1),          // e + combining acute: one cell
        ("작업", 4),
        ("a\tb", 3),              // a control shows as "?"
        ("✔ ok", 4),
    ])
    func measuresCellsNotCharacters(text: String, cells: Int) {
        #expect(TextWidth.width(text) == cells)
    }

    @Test func truncateNeverSplitsAWideCharacter() {
        #expect(TextWidth.truncate("日本語", to: 5) == "日本")
        #expect(TextWidth.truncate("日本語", to: 6) == "日本語")
        #expect(TextWidth.truncate("abcdef", to: 4, ellipsis: true) == "abc…")
        #expect(TextWidth.truncate("abc", to: 4, ellipsis: true) == "abc")
        #expect(TextWidth.truncate("abc", to: 0) == "")
    }

    @Test func padFillsToExactWidthOnEitherSide() {
        #expect(TextWidth.pad("日本", to: 5) == "日本 ")
        #expect(TextWidth.pad("日本語", to: 5) == "日本 ")
        #expect(TextWidth.padLeft("42", to: 5) == "   42")
        #expect(TextWidth.width(TextWidth.pad("日本語abc", to: 7)) == 7)
    }
}
