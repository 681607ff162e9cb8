import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// The text of a log line; pure functions, so tests can pin the format.
public enum LogFormat {
    /// A whole line, newline included. `time` is omitted for the journal,
    /// which stamps lines itself; the journal gets a `<N>` priority prefix instead.
    public static func line(level: LogLevel, label: String, message: String,
                            fields: [(String, String)], time: Date?, journal: Bool) -> String {
        var out = [UInt8]()
        out.reserveCapacity(48 + label.utf8.count + message.utf8.count + fields.count * 24)
        if journal {
            out.append(UInt8(ascii: "<"))
            out.append(UInt8(ascii: "0") + UInt8(level.syslogPriority))
            out.append(UInt8(ascii: ">"))
        }
        if let time {
            appendTimestamp(time, to: &out)
            out.append(UInt8(ascii: " "))
        }
        let name = level.description.utf8
        out.append(contentsOf: name)
        // Pad to the width of "debug" so short levels line up; longer ones just run on.
        for _ in name.count..<max(name.count, 5) { out.append(UInt8(ascii: " ")) }
        out.append(UInt8(ascii: " "))
        out.append(contentsOf: label.utf8)
        out.append(UInt8(ascii: ":"))
        out.append(UInt8(ascii: " "))
        out.append(contentsOf: escapeMessage(message).utf8)
        for (key, value) in fields {
            out.append(UInt8(ascii: " "))
            out.append(contentsOf: sanitizeKey(key).utf8)
            out.append(UInt8(ascii: "="))
            out.append(contentsOf: quoteValue(value).utf8)
        }
        out.append(UInt8(ascii: "\n"))
        return String(decoding: out, as: UTF8.self)
    }

    /// A whole JSON line: `time` (omitted for the journal, which gets `<N>` first), `level`,
    /// `logger`, `msg`, then the fields in order as strings. A field named like one of the
    /// four is written as `field.NAME`; a key given twice keeps its first value.
    public static func jsonLine(level: LogLevel, label: String, message: String,
                                fields: [(String, String)], time: Date?, journal: Bool) -> String {
        var out = ""
        out.reserveCapacity(64 + message.utf8.count + fields.count * 28)
        if journal { out += "<\(level.syslogPriority)>" }
        out += "{"
        var seen: Set<String> = []
        func put(_ key: String, _ value: String) {
            guard seen.insert(key).inserted else { return }
            if seen.count > 1 { out += "," }
            appendJSONString(key, to: &out)
            out += ":"
            appendJSONString(value, to: &out)
        }
        if let time { put("time", timestamp(time)) }
        put("level", level.description)
        put("logger", label)
        put("msg", message)
        let reserved: Set<String> = ["time", "level", "logger", "msg"]
        for (key, value) in fields { put(reserved.contains(key) ? "field." + key : key, value) }
        out += "}\n"
        return out
    }

    /// `s` as a JSON string: quotes, backslashes and control characters escaped.
    static func appendJSONString(_ s: String, to out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 || u.value == 0x7F || u.value == 0x2028 || u.value == 0x2029 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
    }

    /// RFC 3339 UTC with milliseconds: `2026-11-25T12:00:00.123Z`.
    public static func timestamp(_ date: Date) -> String {
        var out = [UInt8]()
        out.reserveCapacity(24)
        appendTimestamp(date, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func appendTimestamp(_ date: Date, to out: inout [UInt8]) {
        // Round to the millisecond first: 0.123 is not exact in binary and would print as .122.
        let totalMs = Int64((date.timeIntervalSince1970 * 1000).rounded())
        var secs = time_t(totalMs >= 0 ? totalMs / 1000 : (totalMs - 999) / 1000)
        let ms = Int(totalMs - Int64(secs) * 1000)
        var parts = tm()
        gmtime_r(&secs, &parts)
        func digits(_ v: Int, _ width: Int) {
            var div = 1
            for _ in 1..<width { div *= 10 }
            var v = v
            if v >= div * 10 { out.append(contentsOf: String(v).utf8); return }
            while div > 0 {
                out.append(UInt8(ascii: "0") + UInt8(v / div))
                v %= div
                div /= 10
            }
        }
        digits(Int(parts.tm_year) + 1900, 4); out.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mon) + 1, 2); out.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mday), 2); out.append(UInt8(ascii: "T"))
        digits(Int(parts.tm_hour), 2); out.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_min), 2); out.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_sec), 2); out.append(UInt8(ascii: "."))
        digits(ms, 3); out.append(UInt8(ascii: "Z"))
    }

    /// A value goes bare when it is non-empty and holds no space, `=`, quote,
    /// backslash or control character; otherwise it is quoted with C-style escapes.
    public static func quoteValue(_ value: String) -> String {
        if !value.isEmpty && !value.utf8.contains(where: needsQuoting) {
            return value
        }
        return "\"" + escape(value) + "\""
    }

    /// The message stays unquoted but can never break the line.
    static func escapeMessage(_ message: String) -> String {
        if !message.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) {
            return message
        }
        return escape(message, quotes: false)
    }

    /// Keys are identifiers; anything else becomes `_` so a key never needs quoting.
    static func sanitizeKey(_ key: String) -> String {
        if key.isEmpty { return "_" }
        if key.utf8.allSatisfy(isKeyByte) { return key }
        var out = String.UnicodeScalarView()
        for s in key.unicodeScalars {
            let ok = (s >= "a" && s <= "z") || (s >= "A" && s <= "Z") || (s >= "0" && s <= "9")
                || s == "_" || s == "-" || s == "." || s == "/"
            out.append(ok ? s : "_")
        }
        return String(out)
    }

    private static func isKeyByte(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39)
            || b == UInt8(ascii: "_") || b == UInt8(ascii: "-") || b == UInt8(ascii: ".") || b == UInt8(ascii: "/")
    }

    private static func needsQuoting(_ b: UInt8) -> Bool {
        b <= 0x20 || b == 0x7F || b == UInt8(ascii: "=") || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\")
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
