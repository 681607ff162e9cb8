import BatchCore
import Testing

struct TerminalSafeTests {
    @Test(arguments: [
        ("plain\ttab", "plain\ttab"),
        ("\u{1B}[1;31mred\u{1B}[0m", "red"),
        ("\u{9B}2Jcleared", "cleared"),                       // CSI as one C1 character
        ("\u{1B}]52;c;cm0gLXJmIH4=\u{07}after", "after"),     // OSC 52: a clipboard write
        ("\u{1B}P1$qm\u{1B}\\after", "after"),                // DCS up to ST
        ("nul\u{0}bell\u{07}del\u{7F}c1\u{85}", "nulbelldelc1"),
        ("10%\r100%", "100%"), ("crlf\r", "crlf"),
        ("작업 ünïcode", "작업 ünïcode"),
    ])
    func textLosesEscapesAndControlCharacters(raw: String, safe: String) {
        #expect(TerminalSafe.text(raw) == safe)
    }
}
