/// A strict JSON reader (RFC 8259) into `JSONValue`, for the hot wire paths where
/// Foundation's `JSONDecoder` with `Codable` costs tens of µs per message.
/// It answers nil for anything it does not accept (invalid JSON, duplicate keys,
/// nesting deeper than `maxDepth`); callers then decode with `JSONDecoder`, whose
/// error says what is wrong, so a fast path never changes what a client is told.
public struct JSONReader {
    public static let maxDepth = 64

    private let bytes: UnsafeBufferPointer<UInt8>
    private var i = 0
    /// The first key found twice in one object, and the byte offset of its second occurrence.
    private var duplicate: (key: String, offset: Int)?

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// The value `bytes` holds (one value, whitespace around it), or nil.
    public static func parse(_ bytes: [UInt8]) -> JSONValue? {
        bytes.withUnsafeBufferPointer { buffer in
            var r = JSONReader(buffer)
            guard let v = r.value(depth: 0) else { return nil }
            r.skipSpace()
            return r.i == buffer.count ? v : nil
        }
    }

    private mutating func skipSpace() {
        while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x09, 0x0A, 0x0D: i += 1
            default: return
            }
        }
    }

    private mutating func value(depth: Int) -> JSONValue? {
        skipSpace()
        guard i < bytes.count, depth < Self.maxDepth else { return nil }
        switch bytes[i] {
        case UInt8(ascii: "{"): return object(depth: depth + 1)
        case UInt8(ascii: "["): return array(depth: depth + 1)
        case UInt8(ascii: "\""): return string().map { .string($0) }
        case UInt8(ascii: "t"): return literal("true") ? .bool(true) : nil
        case UInt8(ascii: "f"): return literal("false") ? .bool(false) : nil
        case UInt8(ascii: "n"): return literal("null") ? .null : nil
        default: return number()
        }
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard i + n <= bytes.count else { return false }
        for k in 0..<n where bytes[i + k] != word.utf8Start[k] { return false }
        i += n
        return true
    }

    private mutating func object(depth: Int) -> JSONValue? {
        i += 1
        var out: [String: JSONValue] = [:]
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(out) }
        while true {
            skipSpace()
            let keyAt = i
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\""), let key = string() else { return nil }
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return nil }
            i += 1
            guard let v = value(depth: depth) else { return nil }
            guard out.updateValue(v, forKey: key) == nil else {
                duplicate = (key, keyAt)
                return nil
            }
            skipSpace()
            guard i < bytes.count else { return nil }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(out) }
            return nil
        }
    }

    private mutating func array(depth: Int) -> JSONValue? {
        i += 1
        var out: [JSONValue] = []
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(out) }
        while true {
            guard let v = value(depth: depth) else { return nil }
            out.append(v)
            skipSpace()
            guard i < bytes.count else { return nil }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(out) }
            return nil
        }
    }

    /// A string starting at the opening quote; `i` ends past the closing one.
    private mutating func string() -> String? {
        i += 1
        let start = i
        // The common case: no escapes.
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                defer { i += 1 }
                return String(validating: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
            }
            if b == UInt8(ascii: "\\") { break }
            if b < 0x20 { return nil }
            i += 1
        }
        var out = Array(bytes[start..<i])
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                i += 1
                return String(validating: out, as: UTF8.self)
            }
            if b < 0x20 { return nil }
            if b != UInt8(ascii: "\\") {
                out.append(b)
                i += 1
                continue
            }
            i += 1
            guard i < bytes.count else { return nil }
            let e = bytes[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                guard var scalar = hex4() else { return nil }
                if (0xD800..<0xDC00).contains(scalar) {
                    // A high surrogate must be followed by an escaped low one.
                    guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else { return nil }
                    i += 2
                    guard let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00..<0xE000).contains(scalar) {
                    return nil
                }
                guard let u = Unicode.Scalar(scalar) else { return nil }
                out.append(contentsOf: UTF8.encode(u)!)
            default:
                return nil
            }
        }
        return nil
    }

    private mutating func hex4() -> UInt32? {
        guard i + 4 <= bytes.count else { return nil }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[i]
            let d: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = b - UInt8(ascii: "A") + 10
            default: return nil
            }
            v = v << 4 | UInt32(d)
            i += 1
        }
        return v
    }

    private mutating func number() -> JSONValue? {
        let start = i
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") { i += 1 }
        guard i < bytes.count, isDigit(bytes[i]) else { return nil }
        if bytes[i] == UInt8(ascii: "0") { i += 1 } else { while i < bytes.count, isDigit(bytes[i]) { i += 1 } }
        var integral = true
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            integral = false
            i += 1
            guard i < bytes.count, isDigit(bytes[i]) else { return nil }
            while i < bytes.count, isDigit(bytes[i]) { i += 1 }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            integral = false
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard i < bytes.count, isDigit(bytes[i]) else { return nil }
            while i < bytes.count, isDigit(bytes[i]) { i += 1 }
        }
        let text = UnsafeBufferPointer(rebasing: bytes[start..<i])
        if integral && text.count <= 15 {
            var v = 0
            var negative = false
            for b in text {
                if b == UInt8(ascii: "-") { negative = true } else { v = v * 10 + Int(b - UInt8(ascii: "0")) }
            }
            return .number(Double(negative ? -v : v))
        }
        guard let d = Double(String(decoding: text, as: UTF8.self)), d.isFinite else { return nil }
        return .number(d)
    }

    private func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
}

extension JSONValue {
    /// The value as an `Int` when it is a whole number that fits.
    public var exactInt: Int? {
        guard case .number(let n) = self, n.rounded() == n, abs(n) <= 9_007_199_254_740_992 else { return nil }
        return Int(n)
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }
}

extension JSONReader {
    /// What is wrong with `bytes` as a body that must hold one JSON object, in words a client
    /// can act on (with a byte offset where there is one); nil when it is one object.
    public static func objectProblem(_ bytes: [UInt8]) -> String? {
        if let offset = invalidUTF8Offset(bytes) { return "the body is not valid UTF-8 (byte offset \(offset))" }
        return bytes.withUnsafeBufferPointer { buffer -> String? in
            var r = JSONReader(buffer)
            let v = r.value(depth: 0)
            if let (key, offset) = r.duplicate {
                return "the key \(ParamSpec.quote(key)) appears twice in one object (byte offset \(offset)); give each key once"
            }
            guard let v else {
                if r.i >= buffer.count { return buffer.isEmpty ? "the body is empty; expected a JSON object" : "the JSON ends too early" }
                return "not valid JSON at byte offset \(r.i)"
            }
            r.skipSpace()
            if r.i != buffer.count { return "unexpected text after the JSON value at byte offset \(r.i)" }
            if case .object = v { return nil }
            return "expected a JSON object, found \(v.kindName)"
        }
    }

    /// The offset of the first byte that is not part of well-formed UTF-8, or nil.
    static func invalidUTF8Offset(_ b: [UInt8]) -> Int? {
        var i = 0
        while i < b.count {
            let c = b[i]
            if c < 0x80 { i += 1; continue }
            let n: Int, low: UInt8, high: UInt8
            switch c {
            case 0xC2...0xDF: (n, low, high) = (1, 0x80, 0xBF)
            case 0xE0: (n, low, high) = (2, 0xA0, 0xBF)
            case 0xE1...0xEC, 0xEE...0xEF: (n, low, high) = (2, 0x80, 0xBF)
            case 0xED: (n, low, high) = (2, 0x80, 0x9F)
            case 0xF0: (n, low, high) = (3, 0x90, 0xBF)
            case 0xF1...0xF3: (n, low, high) = (3, 0x80, 0xBF)
            case 0xF4: (n, low, high) = (3, 0x80, 0x8F)
            default: return i
            }
            guard i + n < b.count, (low...high).contains(b[i + 1]) else { return i }
            var k = 2
            while k <= n {
                if !(0x80...0xBF).contains(b[i + k]) { return i }
                k += 1
            }
            i += n + 1
        }
        return nil
    }
}
