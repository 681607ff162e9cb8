import Testing
@testable import Redis

/// `RedisReply.string` answers exactly what `String(validating:as:)` answers.
struct RedisReplyStringTests {
    @Test(arguments: [
        [], Array("plain ascii".utf8), Array("café 🙂 ｱ".utf8), Array("\u{FFFD} kept".utf8), [0xEF, 0xBF, 0xBD],
        [0xFF], [0xC3], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF0, 0x9F, 0x98], [0xF0, 0x9F, 0x98, 0x41],
        [0xE2, 0x82, 0x41], [0xEF, 0xBF], [0x41, 0xEF], [0xF4, 0x90, 0x80, 0x80], [0x80, 0x80, 0x80],
        Array("ok".utf8) + [0xE0, 0x80, 0x80] + Array("ok".utf8),
    ] as [[UInt8]])
    func bulkBytesAreTextExactlyWhenTheyAreValidUTF8(_ bytes: [UInt8]) {
        let expected = String(validating: bytes, as: UTF8.self)
        #expect(RedisReply.bulk(bytes).string == expected)
        if let s = RedisReply.bulk(bytes).string { #expect(Array(s.utf8) == bytes) }
    }
}
