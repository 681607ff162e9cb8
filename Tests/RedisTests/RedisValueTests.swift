import Testing
@testable import Redis

struct SHA1Tests {
    @Test(arguments: [
        ("", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
        ("abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1"),
        ("return 1", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db"),
        (String(repeating: "a", count: 1000), "291e9a6c66994949b57ba5e650361e98fc36b1ba"),
    ])
    func matchesKnownDigests(_ input: String, _ digest: String) {
        #expect(SHA1.hex(Array(input.utf8)) == digest)
        #expect(RedisScript(input).sha1 == digest)
    }
}

struct RedisCommandTests {
    @Test func encodesRESPWithBinaryArguments() {
        let command = RedisCommand("SET", [UInt8]([0, 0xFF, 13, 10]), 42)
        var wire = [UInt8]()
        command.encode(into: &wire)
        #expect(wire == Array("*3\r\n$3\r\nSET\r\n$4\r\n".utf8) + [0, 0xFF, 13, 10] + Array("\r\n$2\r\n42\r\n".utf8))
    }

    @Test func encodesMultiDigitLengthsAndEmptyArguments() {
        let long = String(repeating: "x", count: 1234)
        var wire = [UInt8]()
        RedisCommand("ECHO", long, "").encode(into: &wire)
        #expect(wire == Array("*3\r\n$4\r\nECHO\r\n$1234\r\n\(long)\r\n$0\r\n\r\n".utf8))
    }

    @Test(arguments: [
        (RedisCommand("x", 1.5), "1.5"),
        (RedisCommand("x", -Double.infinity), "-inf"),
        (RedisCommand("x", Int64.min), "-9223372036854775808"),
        (RedisCommand("x", UInt64.max), "18446744073709551615"),
        (RedisCommand("x", "é"[...]), "é"),
    ])
    func argumentsBecomeTheirRedisText(_ command: RedisCommand, _ text: String) {
        #expect(command.args[1] == Array(text.utf8))
    }

    @Test func nameIsUppercased() {
        #expect(RedisCommand("evalsha", "x").name == "EVALSHA")
    }
}

struct RedisReplyTests {
    @Test func accessorsConvertWhereTheyMakeSense() {
        #expect(RedisReply.bulk(Array("12".utf8)).int == 12)
        #expect(RedisReply.status("OK").string == "OK")
        #expect(RedisReply.integer(7).int == 7)
        #expect(RedisReply.integer(7).string == nil)
        #expect(RedisReply.bulk([0xFF]).string == nil)
        #expect(RedisReply.bulk(Array("1.5".utf8)).double == 1.5)
        #expect(RedisReply.null.isNull)
        #expect(RedisReply.array([.null]).array == [.null])
        #expect(RedisReply.error("ERR x").errorMessage == "ERR x")
        #expect(RedisReply.error("ERR x").string == nil)
    }
}
