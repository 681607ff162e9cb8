/// Writes JSON into bytes with no intermediate tree, for the hot wire paths
/// (see `JSONReader`). Keys are written in the order given: callers that match
/// `JSONEncoder`'s `.sortedKeys` output write them sorted.
public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []
    private var comma = false

    public init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    private mutating func separate() {
        if comma { bytes.append(UInt8(ascii: ",")) }
    }

    public mutating func beginObject() { separate(); bytes.append(UInt8(ascii: "{")); comma = false }
    public mutating func endObject() { bytes.append(UInt8(ascii: "}")); comma = true }
    public mutating func beginArray() { separate(); bytes.append(UInt8(ascii: "[")); comma = false }
    public mutating func endArray() { bytes.append(UInt8(ascii: "]")); comma = true }

    public mutating func key(_ k: String) {
        separate()
        quoted(k)
        bytes.append(UInt8(ascii: ":"))
        comma = false
    }

    public mutating func string(_ s: String) { separate(); quoted(s); comma = true }

    public mutating func int(_ n: Int) { separate(); bytes.append(contentsOf: String(n).utf8); comma = true }

    public mutating func bool(_ b: Bool) { separate(); bytes.append(contentsOf: (b ? "true" : "false").utf8); comma = true }

    public mutating func null() { separate(); bytes.append(contentsOf: "null".utf8); comma = true }

    /// `key` and a string value.
    public mutating func field(_ k: String, _ s: String) { key(k); string(s) }
    public mutating func field(_ k: String, _ n: Int) { key(k); int(n) }
    public mutating func field(_ k: String, _ b: Bool) { key(k); bool(b) }

    /// `key` and an array of objects, each written by `each` between its braces.
    public mutating func objects<T>(_ k: String, _ items: [T], _ each: (inout JSONWriter, T) -> Void) {
        key(k)
        beginArray()
        for item in items {
            beginObject()
            each(&self, item)
            endObject()
        }
        endArray()
    }

    /// A flat object of strings, keys sorted by their UTF-8 bytes (as `JSONEncoder` sorts them).
    public mutating func object(_ strings: [String: String]) {
        beginObject()
        for k in strings.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) { field(k, strings[k]!) }
        endObject()
    }

    private static let hex = Array("0123456789abcdef".utf8)

    private mutating func quoted(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\\")); bytes.append(b)
            case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\")); bytes.append(b)
            case 0x0A: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "t"))
            case 0..<0x20:
                bytes.append(contentsOf: Array("\\u00".utf8))
                bytes.append(Self.hex[Int(b >> 4)])
                bytes.append(Self.hex[Int(b & 0xF)])
            default: bytes.append(b)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
