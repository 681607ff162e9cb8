import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The text of a log line; pure functions, so tests can pin the format.
public enum LogFormat {
    /// A whole line, newline included. `time` is omitted for the journal,
    /// which stamps lines itself; the journal gets a `<N>` priority prefix instead.
    public static func line(level: LogLevel, label: String, message: String,
                            fields: [(String, String)], time: Date?, journal: Bool) -> String {
        var out = ""
        out.reserveCapacity(64 + message.utf8.count + fields.count * 16)
        if journal {
            out += "<\(level.syslogPriority)>"
        }
        if let time {
            out += timestamp(time)
            out += " "
        }
        let name = level.description
        out += name
        // Pad to the width of "debug" so short levels line up; longer ones just run on.
        if name.count < 5 { out += String(repeating: " ", count: 5 - name.count) }
        out += " "
        out += label
        out += ": "
        out += escapeMessage(message)
        for (key, value) in fields {
            out += " "
            out += sanitizeKey(key)
            out += "="
            out += quoteValue(value)
        }
        out += "\n"
        return out
    }

    /// RFC 3339 UTC with milliseconds: `2026-11-25T12:00:00.123Z`.
    public static func timestamp(_ date: Date) -> String {
        // Round to the millisecond first: 0.123 is not exact in binary and would print as .122.
        let totalMs = Int64((date.timeIntervalSince1970 * 1000).rounded())
        var secs = time_t(totalMs >= 0 ? totalMs / 1000 : (totalMs - 999) / 1000)
        let ms = Int(totalMs - Int64(secs) * 1000)
        var parts = tm()
        gmtime_r(&secs, &parts)
        return pad(Int(parts.tm_year) + 1900, 4) + "-" + pad(Int(parts.tm_mon) + 1, 2) + "-"
            + pad(Int(parts.tm_mday), 2) + "T" + pad(Int(parts.tm_hour), 2) + ":"
            + pad(Int(parts.tm_min), 2) + ":" + pad(Int(parts.tm_sec), 2) + "." + pad(ms, 3) + "Z"
    }

    private static func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    /// A value goes bare when it is non-empty and holds no space, `=`, quote,
    /// backslash or control character; otherwise it is quoted with C-style escapes.
    public static func quoteValue(_ value: String) -> String {
        if !value.isEmpty && !value.unicodeScalars.contains(where: needsQuoting) {
            return value
        }
        return "\"" + escape(value) + "\""
    }

    /// The message stays unquoted but can never break the line.
    static func escapeMessage(_ message: String) -> String {
        if !message.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            return message
        }
        return escape(message, quotes: false)
    }

    /// Keys are identifiers; anything else becomes `_` so a key never needs quoting.
    static func sanitizeKey(_ key: String) -> String {
        if key.isEmpty { return "_" }
        var out = String.UnicodeScalarView()
        for s in key.unicodeScalars {
            let ok = (s >= "a" && s <= "z") || (s >= "A" && s <= "Z") || (s >= "0" && s <= "9")
                || s == "_" || s == "-" || s == "." || s == "/"
            out.append(ok ? s : "_")
        }
        return String(out)
    }

    private static func needsQuoting(_ s: Unicode.Scalar) -> Bool {
        s.value <= 0x20 || s.value == 0x7F || s == "=" || s == "\"" || s == "\\"
    }

    private static func escape(_ value: String, quotes: Bool = true) -> String {
        var out = ""
        for s in value.unicodeScalars {
            switch s {
            case "\\": out += quotes ? "\\\\" : "\\"
            case "\"": out += quotes ? "\\\"" : "\""
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if s.value < 0x20 || s.value == 0x7F {
                    let hex = String(s.value, radix: 16)
                    out += "\\x" + (hex.count < 2 ? "0" + hex : hex)
                } else {
                    out.unicodeScalars.append(s)
                }
            }
        }
        return out
    }
}
