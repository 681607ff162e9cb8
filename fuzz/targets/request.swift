// libFuzzer entry point for the request parser, compiled by fuzz/run.sh together
// with Sources/HTTP/HTTPHeaders.swift and Sources/HTTP/HTTPRequestParser*.swift.
// Besides crashes and ASan reports, it checks that the parser reaches the same
// verdict whether the bytes arrive at once or split at a point the input chooses.

struct Outcome: Equatable {
    var heads: [HTTPRequestHead] = []
    var bodies: [[UInt8]] = []
    var error: HTTPParseError?
}

func drive(_ bytes: [UInt8], splits: [Int], limits: HTTPParserLimits) -> Outcome {
    var parser = HTTPRequestParser(limits: limits)
    var buffer: [UInt8] = []
    var index = 0
    var outcome = Outcome()
    var fed = 0
    for end in splits + [bytes.count] where end > fed {
        buffer += bytes[fed..<end]
        fed = end
        loop: while true {
            let before = index
            switch parser.next(buffer, &index) {
            case .needMore:
                check(index <= buffer.count, "index past the buffer")
                break loop
            case .head(let head):
                check(index > before, "a head consumed no bytes")
                outcome.heads.append(head)
            case .body(let body):
                check(body.count <= limits.maxBodyBytes, "body over the limit")
                outcome.bodies.append(body)
            case .error(let error):
                check([400, 413, 414, 431, 501, 505].contains(error.status), "unexpected status \(error.status)")
                outcome.error = error
                return outcome
            }
        }
        // Drop consumed bytes as the server does, to exercise resumption at shifted offsets.
        if index > 0 {
            buffer.removeFirst(index)
            index = 0
        }
    }
    return outcome
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let limits = HTTPParserLimits(maxRequestLineBytes: 256, maxHeaderBytes: 1024, maxHeaderCount: 16, maxBodyBytes: 4096)
    let whole = drive(bytes, splits: [], limits: limits)
    let split = bytes.isEmpty ? 0 : Int(bytes[0]) % max(1, bytes.count)
    let halves = drive(bytes, splits: [split], limits: limits)
    check(whole.heads == halves.heads && whole.bodies == halves.bodies, "split at \(split) changed the requests")
    check((whole.error == nil) == (halves.error == nil), "splitting at \(split) changed whether the input is an error")
    return 0
}
