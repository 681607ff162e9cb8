import FoundationEssentials

/// The declared type of a job parameter.
public enum ParamType: Sendable, Hashable {
    /// Any text (the default).
    case string
    /// A whole number within the bounds.
    case int(min: Int64, max: Int64)
    /// Text that matches the regular expression as a whole.
    case pattern(String)
    /// One of the listed words.
    case oneOf([String])
}

/// One declared parameter of a job type: `param.date = required, pattern ^[0-9]{4}-[0-9]{2}-[0-9]{2}$`.
///
/// Encoded flat (`{"name":"seconds","type":"int","min":0,"max":3600,"default":"1"}`) because
/// workers register it in Redis and other tools read it there.
public struct ParamSpec: Sendable, Hashable {
    public var name: String
    public var type: ParamType
    public var required: Bool
    /// Used when the request leaves the parameter out; already checked against the type.
    public var defaultValue: String?
    public var maxLength: Int?
    /// Whether values may hold control characters other than NUL (`allow-control`).
    /// Off by default: a NUL cuts a value short in argv and the environment after a
    /// `pattern` matched the whole of it, and other control characters reach logs
    /// and terminals.
    public var allowControl: Bool

    public init(name: String, type: ParamType = .string, required: Bool = false,
                defaultValue: String? = nil, maxLength: Int? = nil, allowControl: Bool = false) {
        self.name = name; self.type = type; self.required = required
        self.defaultValue = defaultValue; self.maxLength = maxLength; self.allowControl = allowControl
    }

    /// Why `value` does not fit this parameter, or nil when it fits.
    public func problem(with value: String) -> String? {
        if let p = controlProblem(value) { return p }
        if let maxLength, value.count > maxLength {
            return "is \(value.count) characters long, longer than \(maxLength)"
        }
        switch type {
        case .string:
            return nil
        case .int(let lo, let hi):
            guard let n = Int64(value) else { return "\(Self.quote(value)) is not a whole number" }
            return (lo...hi).contains(n) ? nil : "\(n) is out of range \(lo)..\(hi)"
        case .pattern(let p):
            guard let matched = PatternCache.shared.matches(value, pattern: p) else { return "has an invalid pattern \(p)" }
            return matched ? nil : "\(Self.quote(value)) does not match \(p)"
        case .oneOf(let words):
            return words.contains(value) ? nil : "\(Self.quote(value)) is not one of \(words.joined(separator: "|"))"
        }
    }

    /// Refuses NUL always (argv and the environment are C strings: the value would arrive cut
    /// short) and every other C0 control, DEL and C1 control unless `allowControl`.
    func controlProblem(_ value: String) -> String? {
        var offset = 0
        for c in value.unicodeScalars {
            defer { offset += 1 }
            let v = c.value
            if v == 0 {
                return "contains a NUL character (U+0000) at character \(offset); NUL can never reach a job"
            }
            if !allowControl, v < 0x20 || (0x7F...0x9F).contains(v) {
                let hex = String(v, radix: 16, uppercase: true)
                return "contains the control character U+\(String(repeating: "0", count: 4 - hex.count) + hex) at character \(offset)"
                    + " (declare allow-control to permit control characters)"
            }
        }
        return nil
    }

    /// Values in messages: quoted, escaped, and cut when long, so a hostile value cannot flood a log.
    static func quote(_ s: String) -> String {
        let cut = s.count > 80 ? String(s.prefix(80)) + "..." : s
        var out = "\""
        for c in cut.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if c.value < 0x20 || c.value == 0x7F { out += "\\x" + (c.value < 0x10 ? "0" : "") + String(c.value, radix: 16, uppercase: true) } else { out.unicodeScalars.append(c) }
            }
        }
        return out + "\""
    }
}

extension ParamSpec: Codable {
    private enum Keys: String, CodingKey {
        case name, type, required, `default`, maxLength, min, max, pattern, values, allowControl
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        name = try c.decode(String.self, forKey: .name)
        required = try c.decodeIfPresent(Bool.self, forKey: .required) ?? false
        defaultValue = try c.decodeIfPresent(String.self, forKey: .default)
        maxLength = try c.decodeIfPresent(Int.self, forKey: .maxLength)
        allowControl = try c.decodeIfPresent(Bool.self, forKey: .allowControl) ?? false
        switch try c.decodeIfPresent(String.self, forKey: .type) ?? "string" {
        case "string": type = .string
        case "int":
            type = .int(min: try c.decodeIfPresent(Int64.self, forKey: .min) ?? Int64.min,
                        max: try c.decodeIfPresent(Int64.self, forKey: .max) ?? Int64.max)
        case "pattern": type = .pattern(try c.decode(String.self, forKey: .pattern))
        case "enum": type = .oneOf(try c.decode([String].self, forKey: .values))
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .type, in: c,
                debugDescription: "unknown parameter type \"\(other)\" (expected string, int, pattern or enum)")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(name, forKey: .name)
        try c.encode(required, forKey: .required)
        try c.encodeIfPresent(defaultValue, forKey: .default)
        try c.encodeIfPresent(maxLength, forKey: .maxLength)
        if allowControl { try c.encode(true, forKey: .allowControl) }
        switch type {
        case .string: try c.encode("string", forKey: .type)
        case .int(let lo, let hi):
            try c.encode("int", forKey: .type)
            try c.encode(lo, forKey: .min)
            try c.encode(hi, forKey: .max)
        case .pattern(let p):
            try c.encode("pattern", forKey: .type)
            try c.encode(p, forKey: .pattern)
        case .oneOf(let words):
            try c.encode("enum", forKey: .type)
            try c.encode(words, forKey: .values)
        }
    }
}
