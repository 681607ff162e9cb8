import BatchCore
import Foundation
import Redis
@testable import Store
import Testing
import TestSupport

/// `list QUERY` and `retry`/`cancel --filter` through the built binary, against a real gateway.
@Suite(.serialized, .blocking) struct SearchCommandTests {
    /// Puts a word of this test's own into each execution's error, so that a query finds exactly them.
    func tag(_ f: ControlFleet, _ ids: [String]) throws -> String {
        let word = "tag\(UInt32.random(in: 0...UInt32.max))"
        let keys = Keys(namespace: f.namespace)
        for id in ids { _ = try f.redis.send(RedisCommand("HSET", keys.exec(id), "error", "marked \(word) by the test")) }
        return word
    }

    func states(_ f: ControlFleet, _ ids: [String]) throws -> [ExecutionState?] {
        try ExecutionStore(redis: f.redis, namespace: f.namespace).getMany(ids).map { $0?.state }
    }

    @Test func listWithAQueryShowsTheMatchesAndHowManyWereExamined() throws {
        let f = try ControlFleet.shared
        let ids = try (0..<2).map { _ in try f.trigger("fail", ["code=7"], wait: true).id }
        let word = try tag(f, ids)
        let r = try f.run(["list", "failed", "job:fail", word.uppercased()])
        #expect(r.status == 0, "\(r)")
        #expect(ids.allSatisfy { r.out.contains($0) }, "\(r)")
        let last = r.out.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.hasPrefix("2 shown, ") && last.contains(" examined of "), "\(r)")
        let j = try f.run(["list", "--state", "failed", "job:fail \(word)", "--json"])
        let o = j.jsonObject as? [String: Any]
        #expect(Set((o?["executions"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? []) == Set(ids), "\(j)")
        #expect((o?["examined"] as? Int ?? 0) >= 2 && (o?["total"] as? Int ?? 0) >= 2, "\(j)")
        let none = try f.run(["list", "succeeded", word])
        #expect(none.status == 0 && none.out.hasPrefix("no executions match"), "\(none)")
        let bad = try f.run(["list", "since:yesterday"])
        #expect(bad.status == 2 && bad.err.contains("since:yesterday: yesterday is neither a duration"), "\(bad)")
        let clash = try f.run(["list", "--state", "queued", "failed"])
        #expect(clash.status == 2, "\(clash)")
    }

    @Test func cancelFilterDryRunChangesNothingAndMaxRefuses() throws {
        let f = try ControlFleet.shared
        let ids = try (0..<3).map { _ in try f.trigger("noop", [], extra: ["--in", "1h"]).id }
        let word = try tag(f, ids)
        let query = "scheduled \(word)"
        let dry = try f.run(["cancel", "--filter", query, "--dry-run"])
        #expect(dry.status == 0, "\(dry)")
        #expect(ids.allSatisfy { dry.out.contains($0) }, "\(dry)")
        #expect(dry.out.hasSuffix("3 executions match; dry run, nothing sent\n"), "\(dry)")
        #expect(try states(f, ids) == [.scheduled, .scheduled, .scheduled])
        let over = try f.run(["cancel", "--filter", query, "--max", "2"])
        #expect(over.status == 1 && over.err.contains("more than 2 executions match"), "\(over)")
        #expect(try states(f, ids) == [.scheduled, .scheduled, .scheduled])
        #expect(try f.run(["cancel", ids[0], "--filter", query]).status == 2)
        #expect(try f.run(["cancel", ids[0], "--dry-run"]).status == 2)

        let done = try f.run(["cancel", "--filter", query])
        #expect(done.status == 0, "\(done)")
        #expect(done.out.hasSuffix("3 executions matched: 3 done, 0 failed\n"), "\(done)")
        #expect(try states(f, ids) == [.cancelled, .cancelled, .cancelled])
    }

    @Test func retryFilterRetriesExactlyTheMatches() throws {
        let f = try ControlFleet.shared
        let ids = try (0..<3).map { _ in try f.trigger("fail", ["code=7"], wait: true).id }
        let word = try tag(f, Array(ids.prefix(2)))
        let r = try f.run(["retry", "--filter", "failed job:fail \(word)", "--json"])
        #expect(r.status == 0, "\(r)")
        let rows = r.jsonObject as? [[String: Any]] ?? []
        #expect(Set(rows.compactMap { $0["executionId"] as? String }) == Set(ids.prefix(2)), "\(r)")
        #expect(rows.allSatisfy { ($0["newExecutionId"] as? String)?.count == 26 }, "\(r)")
        let t = try f.run(["retry", "--filter", "failed job:fail \(word)"])
        #expect(t.out.split(separator: "\n").filter { $0.contains(" retried as ") }.count == 2, "\(t)")
        #expect(t.out.hasSuffix("2 executions matched: 2 done, 0 failed\n") && !t.out.contains(ids[2]), "\(t)")
    }
}
