import Foundation
import Testing
import TestSupport

/// A gateway with a bearer token: batchctl sends the token of `--token-file`
/// (or the configuration's), and a missing or wrong one exits 1 with a hint.
@Suite struct TokenTests {
    @Test func tokenFromTheFileIsSentAndAMissingOrWrongOneExits1() throws {
        let dir = try makeTemporaryDirectory("batchctl-token")
        defer { removeTree(dir) }
        try "s3cret-\(UInt32.random(in: 0...UInt32.max))\n".write(toFile: dir + "/token", atomically: true, encoding: .utf8)
        try "wrong\n".write(toFile: dir + "/wrong", atomically: true, encoding: .utf8)
        let f = try ControlFleet(extraConfig: "[http]\ntoken-file = \(dir)/token\n")
        defer { f.stop() }
        let (id, ok) = try f.trigger("noop")
        #expect(ok.status == 0, "\(ok)")
        #expect(id.count == 26)

        let server = try RedisServer.shared
        let bare = ["--redis", server.url, "--namespace", f.namespace]
        let none = try batchctl(bare + ["cancel", id])
        #expect(none.status == 1, "\(none)")
        #expect(none.err.contains("(401)"), "\(none)")
        #expect(none.err.contains("pass --token-file FILE or set BATCH_TOKEN_FILE"), "\(none)")
        let wrong = try batchctl(bare + ["--token-file", dir + "/wrong", "trigger", "noop"])
        #expect(wrong.status == 1, "\(wrong)")
        let right = try batchctl(bare + ["cancel", id], environment: ["BATCH_TOKEN_FILE": dir + "/token"])
        #expect(right.status == 0, "\(right)")
        // Reads need no token: they come from Redis.
        #expect(try batchctl(bare + ["status", id]).status == 0)
    }
}
