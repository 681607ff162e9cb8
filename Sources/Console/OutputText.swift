import Terminal

/// Job output as it can be shown: programs print tabs, colours and carriage returns
/// that would otherwise appear as `?` (the canvas never lets control characters
/// through to the terminal).
enum OutputText {
    /// Expands tabs to 8-column stops, drops ANSI escape sequences (colours, cursor
    /// moves) and keeps only what follows the last carriage return (progress lines).
    static func clean(_ line: String) -> String {
        var scalars = Array(line.unicodeScalars)
        if let cr = scalars.lastIndex(of: "\r") {
            let after = scalars[(cr + 1)...]
            // A trailing CR (a CRLF line) ends the line; one inside it restarted the line.
            scalars = after.isEmpty ? Array(scalars[..<cr]) : Array(after)
        }
        var out = String.UnicodeScalarView()
        var col = 0
        var i = 0
        while i < scalars.count {
            let s = scalars[i]
            if s == "\u{1B}" {
                i += 1
                if i < scalars.count, scalars[i] == "[" {
                    // CSI: parameters and intermediates up to one final byte in @...~.
                    i += 1
                    while i < scalars.count, !(0x40...0x7E).contains(scalars[i].value) { i += 1 }
                    i += 1
                } else if i < scalars.count, scalars[i] == "]" {
                    // OSC: up to BEL or ESC \.
                    while i < scalars.count, scalars[i] != "\u{07}", scalars[i] != "\u{1B}" { i += 1 }
                    i += scalars.indices.contains(i) && scalars[i] == "\u{1B}" ? 2 : 1
                } else {
                    // Other escapes: intermediates (space to /), then one final character.
                    while i < scalars.count, (0x20...0x2F).contains(scalars[i].value) { i += 1 }
                    i += 1
                }
                continue
            }
            if s == "\t" {
                let spaces = 8 - col % 8
                out.append(contentsOf: repeatElement(" ", count: spaces))
                col += spaces
            } else {
                out.append(s)
                col += TextWidth.width(of: s)
            }
            i += 1
        }
        return String(out)
    }
}
