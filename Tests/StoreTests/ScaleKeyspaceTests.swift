import Foundation
import Testing

/// No store script or store read walks the keyspace: `KEYS` and the `SCAN`
/// family cost O(all keys) and would make every read slower as executions pile up.
@Suite struct ScaleKeyspaceTests {
    /// A Redis command spelled as a quoted word, as `redis.call('KEYS', …)` in Lua or
    /// `RedisCommand("SCAN", …)` in Swift have it. Lua's `KEYS[1]` is not quoted, so it never matches.
    static let scanCommands: [String] = ["keys", "scan", "hscan", "sscan", "zscan"].flatMap { ["'\($0)'", "\"\($0)\""] }

    static func keyspaceScans(in text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap { n, line in
            let lower = line.lowercased()
            return scanCommands.contains { lower.contains($0) } ? "line \(n + 1): \(line.trimmingCharacters(in: .whitespaces))" : nil
        }
    }

    @Test(arguments: [
        (#"local ks = redis.call('KEYS', P .. 'exec:*')"#, true),
        (#"redis.pcall("scan", cursor, 'MATCH', P .. '*')"#, true),
        (#"redis.call('ZSCAN', P .. 'recent', 0)"#, true),
        (#"try redis.send(RedisCommand("SCAN", 0, "COUNT", 1000))"#, true),
        (#"try redis.send("keys", "*")"#, true),
        (#"local id = KEYS[1]"#, false),
        (#"public var claimScanDepth: Int = 64  // how deep a claim scans"#, false),
        (#"redis.call('HGETALL', P .. 'exec:' .. id)"#, false),
        // Over-eager on purpose: a quoted word "keys" is flagged even as data; spell such strings otherwise.
        (#"let keys = Keys(namespace: "keys")"#, true),
    ])
    func detectorFindsKeyspaceCommandsButNotTheKeysArray(line: String, isScan: Bool) {
        #expect(Self.keyspaceScans(in: line).isEmpty == !isScan, "\(line)")
    }

    @Test func storeScriptsAndReadsNeverUseKeysOrScan() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let store = root.appendingPathComponent("Sources/Store")
        let files = try #require(FileManager.default.enumerator(at: store, includingPropertiesForKeys: nil),
                                 "Sources/Store not found at \(store.path)")
            .compactMap { $0 as? URL }
            .filter { $0.pathExtension == "swift" }
        // Proof that the sources were really read, Lua included.
        #expect(files.contains { $0.lastPathComponent == "Keys.swift" }, "Keys.swift among \(files.map(\.lastPathComponent))")
        var calls = 0
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            calls += text.components(separatedBy: "redis.call(").count - 1
            let found = Self.keyspaceScans(in: text)
            #expect(found.isEmpty, "\(file.lastPathComponent) walks the keyspace: \(found.joined(separator: "; "))")
        }
        #expect(calls > 50, "only \(calls) redis.call( in Sources/Store: the Lua sources were not found")
    }
}
