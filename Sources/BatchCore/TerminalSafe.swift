/// Text from outside (job output, parameters, error messages) made safe to print on an
/// operator's terminal: escape sequences (colours, cursor moves, window titles, OSC 52
/// clipboard writes) and control characters other than tab are removed, and a line
/// that a carriage return restarted keeps only what follows it, as a terminal shows it.
public enum TerminalSafe {
    public static func text(_ line: String) -> String {
        var scalars = Array(line.unicodeScalars)
        if let cr = scalars.lastIndex(of: "\r") {
            let after = scalars[(cr + 1)...]
            // A trailing CR (a CRLF line) ends the line; one inside it restarted the line.
            scalars = after.isEmpty ? Array(scalars[..<cr]) : Array(after)
        }
        var out = String.UnicodeScalarView()
        var i = 0
        while i < scalars.count {
            let s = scalars[i]
            if s == "\u{1B}" || s == "\u{9B}" {
                // CSI may also be the single C1 character U+009B.
                let csi = s == "\u{9B}"
                i += 1
                if csi || (i < scalars.count && scalars[i] == "[") {
                    // CSI: parameters and intermediates up to one final byte in @...~.
                    if !csi { i += 1 }
                    while i < scalars.count, !(0x40...0x7E).contains(scalars[i].value) { i += 1 }
                    i += 1
                } else if i < scalars.count, ["]", "P", "X", "^", "_"].contains(scalars[i]) {
                    // OSC, DCS, SOS, PM, APC: up to BEL or ESC \ (ST).
                    while i < scalars.count, scalars[i] != "\u{07}", scalars[i] != "\u{1B}" { i += 1 }
                    i += i < scalars.count && scalars[i] == "\u{1B}" ? 2 : 1
                } else {
                    // Other escapes: intermediates (space to /), then one final character.
                    while i < scalars.count, (0x20...0x2F).contains(scalars[i].value) { i += 1 }
                    i += 1
                }
                continue
            }
            let v = s.value
            if s == "\t" || (v >= 0x20 && v != 0x7F && !(0x80...0x9F).contains(v)) { out.append(s) }
            i += 1
        }
        return String(out)
    }
}
