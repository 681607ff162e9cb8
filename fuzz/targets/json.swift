// libFuzzer entry point for the JSON reader (Sources/BatchCore/JSON/JSONReader.swift),
// compiled by fuzz/run.sh together with all of Sources/BatchCore. Besides crashes and
// ASan reports, it checks that the reader and the problem describer agree, and that a
// value read, written again (strings through JSONWriter) and read back, is the same value.

func encode(_ v: JSONValue, into out: inout [UInt8]) {
    switch v {
    case .null: out += Array("null".utf8)
    case .bool(let b): out += Array((b ? "true" : "false").utf8)
    case .number(let d): out += Array("\(d)".utf8)
    case .string(let s):
        var w = JSONWriter()
        w.string(s)
        out += w.bytes
    case .array(let items):
        out.append(UInt8(ascii: "["))
        for (i, item) in items.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            encode(item, into: &out)
        }
        out.append(UInt8(ascii: "]"))
    case .object(let fields):
        out.append(UInt8(ascii: "{"))
        for (i, key) in fields.keys.sorted().enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            encode(.string(key), into: &out)
            out.append(UInt8(ascii: ":"))
            encode(fields[key]!, into: &out)
        }
        out.append(UInt8(ascii: "}"))
    }
}

func allFinite(_ v: JSONValue) -> Bool {
    switch v {
    case .number(let d): return d.isFinite
    case .array(let items): return items.allSatisfy(allFinite)
    case .object(let fields): return fields.values.allSatisfy(allFinite)
    default: return true
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let value = JSONReader.parse(bytes)
    let problem = JSONReader.objectProblem(bytes)
    if case .object = value {
        check(problem == nil, "an object was read but described as wrong: \(problem!)")
    }
    if problem == nil {
        guard case .object = value else { checkFailure("no problem described, yet no object read") }
    }
    guard let value else { return 0 }
    check(JSONReader.invalidUTF8Offset(bytes) == nil, "a value was read from invalid UTF-8")
    _ = value.exactInt
    // A number too large for a Double reads as infinity, which has no JSON spelling.
    guard allFinite(value) else { return 0 }
    var out: [UInt8] = []
    encode(value, into: &out)
    let again = JSONReader.parse(out)
    check(again == value, "written and read again, \(value) became \(String(describing: again))")
    return 0
}
