// libFuzzer entry point for the Swift side of the Redis reply parser: hiredis' reader (C)
// driving ReplyArena's callbacks (Sources/Redis/ReplyArena.swift), compiled by fuzz/run.sh
// with that file and Sources/Redis/RedisReply.swift. The same bytes are also read by a
// second hiredis reader with its own default callbacks (a tree of redisReply): both must
// give the same replies, and the same error, fed at once or split where the input says.

import CHiredis

func fromTree(_ r: UnsafeMutablePointer<redisReply>) -> RedisReply {
    let p = r.pointee
    switch p.type {
    case REDIS_REPLY_STRING: return .bulk(Array(UnsafeRawBufferPointer(start: p.str, count: Int(p.len))))
    case REDIS_REPLY_STATUS: return .status(String(decoding: UnsafeRawBufferPointer(start: p.str, count: Int(p.len)), as: UTF8.self))
    case REDIS_REPLY_ERROR: return .error(String(decoding: UnsafeRawBufferPointer(start: p.str, count: Int(p.len)), as: UTF8.self))
    case REDIS_REPLY_INTEGER: return .integer(p.integer)
    case REDIS_REPLY_NIL: return .null
    case REDIS_REPLY_ARRAY: return .array((0..<Int(p.elements)).map { fromTree(p.element[$0]!) })
    default: checkFailure("unknown reply type \(p.type)")
    }
}

struct Outcome: Equatable {
    var replies: [RedisReply] = []
    var failed = false
}

/// Reads every reply in `bytes` (fed in two pieces split at `split`) through the arena.
func throughArena(_ bytes: [UInt8], split: Int) -> Outcome {
    let arena = ReplyArena()
    let ctx = UnsafeMutablePointer<redisContext>.allocate(capacity: 1)
    ctx.initialize(to: redisContext())
    ctx.pointee.reader = redisReaderCreate()
    defer { redisReaderFree(ctx.pointee.reader); ctx.deallocate() }
    arena.attach(to: ctx)
    var out = Outcome()
    for piece in [bytes[..<split], bytes[split...]] {
        piece.withUnsafeBufferPointer { b in
            _ = b.baseAddress.map { base in base.withMemoryRebound(to: CChar.self, capacity: b.count) { redisReaderFeed(ctx.pointee.reader, $0, b.count) } }
        }
        // As RedisConnection does: the arena is reset only once a whole reply was taken (a reply
        // still incomplete when the bytes ran out keeps its nodes for the next feed).
        while !out.failed {
            var raw: UnsafeMutableRawPointer?
            guard redisReaderGetReply(ctx.pointee.reader, &raw) == REDIS_OK else { out.failed = true; break }
            guard let raw else { break }
            out.replies.append(arena.reply(root: raw))
            arena.reset()
        }
    }
    return out
}

/// The same through hiredis' own reply tree.
func throughTree(_ bytes: [UInt8]) -> Outcome {
    let reader = redisReaderCreate()!
    defer { redisReaderFree(reader) }
    bytes.withUnsafeBufferPointer { b in
        _ = b.baseAddress.map { base in base.withMemoryRebound(to: CChar.self, capacity: b.count) { redisReaderFeed(reader, $0, b.count) } }
    }
    var out = Outcome()
    while true {
        var raw: UnsafeMutableRawPointer?
        guard redisReaderGetReply(reader, &raw) == REDIS_OK else { out.failed = true; break }
        guard let raw else { break }
        let tree = raw.assumingMemoryBound(to: redisReply.self)
        out.replies.append(fromTree(tree))
        freeReplyObject(raw)
    }
    return out
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let reference = throughTree(bytes)
    let whole = throughArena(bytes, split: bytes.count)
    check(whole == reference, "arena \(whole) differs from hiredis' tree \(reference)")
    let split = bytes.isEmpty ? 0 : Int(bytes[0]) % bytes.count
    let halves = throughArena(bytes, split: split)
    check(halves == whole, "split at \(split): \(halves) differs from \(whole)")
    return 0
}
