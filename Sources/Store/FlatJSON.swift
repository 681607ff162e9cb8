import FoundationEssentials

/// Parameters are a flat JSON object of strings, written on every create and
/// read on every claim and record. Foundation's coders cost tens of µs per
/// call here, which is a large share of a lifecycle's client CPU; these fast
/// paths handle the common shapes byte-for-byte like `JSONEncoder.sorted` and
/// `JSONDecoder`, and answer nil for anything else so the caller falls back.
enum FlatJSON {
    /// The bytes `JSONEncoder.sorted` writes for `params`, or nil when a key or
    /// value needs more than the fast path knows (sorting rules beyond plain
    /// lower-case ASCII letters and `_`, escapes, non-ASCII).
    static func encode(_ params: [String: String]) -> String? {
        if params.isEmpty { return "{}" }
        var keys: [String] = []
        keys.reserveCapacity(params.count)
        var size = 2
        for (k, v) in params {
            guard isPlainKey(k), isVerbatim(v) else { return nil }
            keys.append(k)
            size += k.utf8.count + v.utf8.count + 6
        }
        keys.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        var out = [UInt8]()
        out.reserveCapacity(size)
        out.append(UInt8(ascii: "{"))
        for (i, k) in keys.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: k.utf8)
            out.append(contentsOf: #"":""#.utf8)
            out.append(contentsOf: params[k]!.utf8)
            out.append(UInt8(ascii: "\""))
        }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }

    /// The object `text` holds when it is `{}` or `{"k":"v",...}` with no
    /// whitespace and no backslash; nil for anything else (not necessarily invalid).
    static func decode(_ text: String) -> [String: String]? {
        var text = text
        return text.withUTF8 { bytes -> [String: String]? in
            let n = bytes.count
            guard n >= 2, bytes[0] == UInt8(ascii: "{"), bytes[n - 1] == UInt8(ascii: "}") else { return nil }
            var out: [String: String] = [:]
            if n == 2 { return out }
            var i = 1
            // One string starting at `i` (a quote); its contents, with `i` past the closing quote.
            func string() -> String? {
                guard i < n, bytes[i] == UInt8(ascii: "\"") else { return nil }
                let start = i + 1
                var j = start
                while j < n, bytes[j] != UInt8(ascii: "\"") {
                    if bytes[j] == UInt8(ascii: "\\") || bytes[j] < 0x20 { return nil }
                    j += 1
                }
                guard j < n else { return nil }
                i = j + 1
                return String(validating: UnsafeBufferPointer(rebasing: bytes[start..<j]), as: UTF8.self)
            }
            while true {
                guard let k = string(), i < n, bytes[i] == UInt8(ascii: ":"), ({ i += 1; return true })(),
                      let v = string(), i < n else { return nil }
                // A repeated key is left to JSONDecoder's own rule.
                guard out.updateValue(v, forKey: k) == nil else { return nil }
                if bytes[i] == UInt8(ascii: "}") { return i == n - 1 ? out : nil }
                guard bytes[i] == UInt8(ascii: ",") else { return nil }
                i += 1
            }
        }
    }

    private static func isPlainKey(_ k: String) -> Bool {
        !k.isEmpty && k.utf8.allSatisfy { ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || $0 == UInt8(ascii: "_") }
    }

    /// Printable ASCII other than a quote or backslash: written as is inside
    /// quotes by `JSONEncoder` (with `.withoutEscapingSlashes`).
    private static func isVerbatim(_ v: String) -> Bool {
        v.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }
    }
}
