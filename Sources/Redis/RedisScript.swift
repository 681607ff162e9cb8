/// A Lua script with its SHA-1, so it runs by `EVALSHA` and is sent in full only when Redis lacks it.
public struct RedisScript: Sendable, Equatable {
    public let source: String
    /// Lower-case hex SHA-1 of `source`, as `SCRIPT LOAD` returns it.
    public let sha1: String

    public init(_ source: String) {
        self.source = source
        self.sha1 = SHA1.hex(Array(source.utf8))
    }
}

extension RedisScript {
    func evalShaCommand(keys: [[UInt8]], args: [[UInt8]]) -> RedisCommand {
        RedisCommand(bytes: [Array("EVALSHA".utf8), Array(sha1.utf8), Array(String(keys.count).utf8)] + keys + args)
    }

    func evalCommand(keys: [[UInt8]], args: [[UInt8]]) -> RedisCommand {
        RedisCommand(bytes: [Array("EVAL".utf8), Array(source.utf8), Array(String(keys.count).utf8)] + keys + args)
    }
}
