import Testing
@testable import Console

struct OutputTextTests {
    @Test(arguments: [
        ("plain", "plain"),
        ("a\tb", "a       b"),
        ("abcdefgh\tx", "abcdefgh        x"),
        ("\u{1B}[1;31mred\u{1B}[0m text", "red text"),
        ("\u{1B}]0;title\u{07}after", "after"),
        ("\u{1B}]0;title\u{1B}\\after", "after"),
        ("10%\r50%\r100%", "100%"),
        ("line\r", "line"),
        ("\u{1B}(Bx", "x"), ("\u{1B}=x", "x"),
        ("작업\tdone", "작업    done"),  // wide characters count two columns
    ])
    func outputLinesAreCleanedForDisplay(raw: String, shown: String) {
        #expect(OutputText.clean(raw) == shown)
    }
}
