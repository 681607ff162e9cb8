import BatchCore
import Terminal

/// Job output as it can be shown: programs print tabs, colours and carriage returns
/// that would otherwise appear as `?` (the canvas never lets control characters
/// through to the terminal).
enum OutputText {
    /// Expands tabs to 8-column stops, drops ANSI escape sequences (colours, cursor
    /// moves) and keeps only what follows the last carriage return (progress lines).
    static func clean(_ line: String) -> String {
        var out = String.UnicodeScalarView()
        var col = 0
        for s in TerminalSafe.text(line).unicodeScalars {
            if s == "\t" {
                let spaces = 8 - col % 8
                out.append(contentsOf: repeatElement(" ", count: spaces))
                col += spaces
            } else {
                out.append(s)
                col += TextWidth.width(of: s)
            }
        }
        return String(out)
    }
}
