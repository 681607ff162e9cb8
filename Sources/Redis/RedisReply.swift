/// One RESP2 reply, fully decoded and detached from hiredis memory.
public enum RedisReply: Sendable, Equatable {
    case status(String)
    case error(String)
    case integer(Int64)
    case bulk([UInt8])
    case null
    case array([RedisReply])

    /// A status, or a bulk string that is valid UTF-8.
    public var string: String? {
        switch self {
        case .status(let s): return s
        case .bulk(let b): return Self.utf8String(b)
        default: return nil
        }
    }

    /// `String(validating:as:)`, faster: that initializer runs an unspecialized
    /// generic validator (metadata lookups on every call), which made up most of
    /// the client CPU of reading a page of records. `String(decoding:)` validates
    /// with the standard library's fast path but repairs instead of failing; a
    /// repair always writes U+FFFD (EF BF BD), so when the input has no 0xEF byte
    /// the decoded text is the input exactly iff it has no 0xEF either.
    static func utf8String(_ b: [UInt8]) -> String? {
        if b.contains(0xEF) { return String(validating: b, as: UTF8.self) }
        let s = String(decoding: b, as: UTF8.self)
        let repaired = s.utf8.withContiguousStorageIfAvailable { $0.contains(0xEF) } ?? s.utf8.contains(0xEF)
        return repaired ? nil : s
    }

    /// An integer, or a bulk string / status that parses as a decimal integer.
    public var int: Int64? {
        switch self {
        case .integer(let i): return i
        case .bulk, .status: return string.flatMap { Int64($0) }
        default: return nil
        }
    }

    /// A bulk string or status parsed as a floating point number (as ZSCORE answers).
    public var double: Double? {
        switch self {
        case .integer(let i): return Double(i)
        case .bulk, .status: return string.flatMap { Double($0) }
        default: return nil
        }
    }

    /// The raw bytes of a bulk string or status.
    public var bytes: [UInt8]? {
        switch self {
        case .bulk(let b): return b
        case .status(let s): return Array(s.utf8)
        default: return nil
        }
    }

    public var array: [RedisReply]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The message of an error reply.
    public var errorMessage: String? {
        if case .error(let m) = self { return m }
        return nil
    }
}

extension RedisReply: CustomStringConvertible {
    public var description: String {
        switch self {
        case .status(let s): return "+\(s)"
        case .error(let e): return "-\(e)"
        case .integer(let i): return ":\(i)"
        case .bulk(let b): return String(validating: b, as: UTF8.self).map { "\"\($0)\"" } ?? "<\(b.count) bytes>"
        case .null: return "(nil)"
        case .array(let a): return "[" + a.map(\.description).joined(separator: ", ") + "]"
        }
    }
}
