import CHiredis

/// Where hiredis' parser puts the replies of one connection: two flat buffers, filled
/// through `redisReplyObjectFunctions`, instead of its default tree of `redisReply`s
/// (one `calloc` per element and one `malloc` per string, all freed again as soon as
/// the reply was copied into Swift values; reading the events stream spent most of
/// its time there).
///
/// The parser creates objects in the order of the reply (an array, then its elements),
/// so an array node needs only its element count: its elements are the nodes that
/// follow it. An object handed back to hiredis is its node's index plus one (hiredis
/// takes a null pointer for "out of memory"); hiredis never looks inside it.
final class ReplyArena {
    enum Kind: UInt8 { case bulk, status, error, integer, null, array }

    /// bulk, status, error: `a` is the start in `bytes`, `b` the length;
    /// integer: `a` is the value; array: `a` is the element count.
    struct Node {
        var kind: Kind
        var a: Int
        var b: Int
    }

    private(set) var nodes: [Node] = []
    private(set) var bytes: [UInt8] = []

    /// Makes hiredis' parser of `context` build its replies here. The arena must
    /// outlive the context (the connection owns both and frees the context first).
    func attach(to context: UnsafeMutablePointer<redisContext>) {
        guard let reader = context.pointee.reader else { return }
        reader.pointee.fn = Self.functions
        reader.pointee.privdata = Unmanaged.passUnretained(self).toOpaque()
    }

    /// Forgets the replies read so far, keeping the buffers for the next unless a large reply
    /// grew them (a pooled connection would hold that memory for good).
    func reset() {
        if bytes.capacity > 64 << 10 { bytes = [] } else { bytes.removeAll(keepingCapacity: true) }
        if nodes.capacity > 4096 { nodes = [] } else { nodes.removeAll(keepingCapacity: true) }
    }

    /// The reply whose root hiredis handed back as `object`, as Swift values.
    func reply(root object: UnsafeMutableRawPointer) -> RedisReply {
        var i = Int(bitPattern: object) - 1
        return reply(&i)
    }

    private func reply(_ i: inout Int) -> RedisReply {
        let n = nodes[i]
        i += 1
        switch n.kind {
        case .bulk: return .bulk(Array(bytes[n.a..<n.a + n.b]))
        case .status: return .status(String(decoding: bytes[n.a..<n.a + n.b], as: UTF8.self))
        case .error: return .error(String(decoding: bytes[n.a..<n.a + n.b], as: UTF8.self))
        case .integer: return .integer(Int64(n.a))
        case .null: return .null
        case .array:
            var items: [RedisReply] = []
            items.reserveCapacity(n.a)
            for _ in 0..<n.a { items.append(reply(&i)) }
            return .array(items)
        }
    }

    private func add(_ node: Node) -> UnsafeMutableRawPointer? {
        nodes.append(node)
        return UnsafeMutableRawPointer(bitPattern: nodes.count)
    }

    private static func arena(_ task: UnsafePointer<redisReadTask>?) -> ReplyArena {
        Unmanaged<ReplyArena>.fromOpaque(task!.pointee.privdata).takeUnretainedValue()
    }

    /// The parser's callbacks, shared by every connection (each finds its arena through
    /// the reader's `privdata`, which hiredis copies into every task).
    nonisolated(unsafe) private static let functions: UnsafeMutablePointer<redisReplyObjectFunctions> = {
        let fn = UnsafeMutablePointer<redisReplyObjectFunctions>.allocate(capacity: 1)
        fn.initialize(to: redisReplyObjectFunctions(
            createString: { task, str, len in
                let a = arena(task)
                let kind: Kind = switch task!.pointee.type {
                case REDIS_REPLY_STATUS: .status
                case REDIS_REPLY_ERROR: .error
                default: .bulk
                }
                let start = a.bytes.count
                if let str, len > 0 { a.bytes.append(contentsOf: UnsafeRawBufferPointer(start: str, count: len)) }
                return a.add(Node(kind: kind, a: start, b: len))
            },
            createArray: { task, count in arena(task).add(Node(kind: .array, a: Int(max(0, count)), b: 0)) },
            createInteger: { task, value in arena(task).add(Node(kind: .integer, a: Int(value), b: 0)) },
            createNil: { task in arena(task).add(Node(kind: .null, a: 0, b: 0)) },
            freeObject: { _ in }))
        return fn
    }()
}
