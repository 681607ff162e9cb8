import BatchCore
import Redis
@testable import Store
import Testing
import TestSupport

/// `[retention]` ages by outcome, counted from the end, and the count bound taking the
/// outcome kept shortest first.
@Suite(.blocking) struct RetentionByOutcomeTests {
    static let hour: Int64 = 3_600_000

    /// An ended execution that ended `agoMs` ago (its `by-state` score) and was created before that.
    func ended(_ f: StoreFixture, _ state: ExecutionState, agoMs: Int64) throws -> String {
        let id = try f.seed(state: state, leaseMs: nil)
        let at = try f.nowMs() - agoMs
        _ = try f.send("ZADD", f.keys.byState(state.rawValue), at, id)
        _ = try f.send("ZADD", f.keys.recent, at - 1000, id)
        return id
    }

    func exists(_ f: StoreFixture, _ id: String) throws -> Bool { try f.send("EXISTS", f.keys.exec(id)).int == 1 }

    @Test func eachOutcomeIsKeptForItsOwnAge() throws {
        let f = try StoreFixture()
        let ids = try [ExecutionState.succeeded, .failed, .timedOut, .cancelled].map { ($0, try ended(f, $0, agoMs: 2 * Self.hour)) }
        let live = try f.seed(state: .running)
        let ages = RetentionAges(succeeded: Self.hour, failed: 30 * 24 * Self.hour, timedOut: Self.hour, cancelled: 3 * Self.hour)
        let round = try f.store.trim(maxCount: 100, ages: ages)
        #expect(round == TrimRound(removed: 2, byCount: 0))
        for (state, id) in ids {
            #expect(try exists(f, id) == (state == .failed || state == .cancelled), "\(state)")
            #expect(try f.inIndex(id, state) == (state == .failed || state == .cancelled))
        }
        #expect(try f.send("ZCARD", f.keys.recent).int == 3)
        #expect(try f.store.trim(maxCount: 100, ages: RetentionAges(all: Self.hour)).removed == 2)
        #expect(try exists(f, live) && f.send("ZCARD", f.keys.recent).int == 1)
    }

    @Test func overTheCountTheOutcomeKeptShortestGoesFirst() throws {
        let f = try StoreFixture()
        // The failed ones are older, but failures are kept longer: the count takes successes first.
        let failed = try (0..<3).map { _ in try ended(f, .failed, agoMs: 20 * Self.hour) }
        let succeeded = try (0..<3).map { _ in try ended(f, .succeeded, agoMs: Self.hour) }
        let ages = RetentionAges(succeeded: 24 * Self.hour, failed: 30 * 24 * Self.hour, timedOut: 24 * Self.hour, cancelled: 24 * Self.hour)
        #expect(try f.store.trim(maxCount: 4, ages: ages) == TrimRound(removed: 2, byCount: 2))
        #expect(try failed.allSatisfy { try exists(f, $0) })
        #expect(try succeeded.filter { try exists(f, $0) }.count == 1)
        // The last success goes, then failures, oldest first.
        #expect(try f.store.trim(maxCount: 2, ages: ages) == TrimRound(removed: 2, byCount: 2))
        #expect(try succeeded.filter { try exists(f, $0) }.isEmpty && failed.filter { try exists(f, $0) }.count == 2)
    }

    @Test func executionsKeptLongerDoNotHideOlderOnesFromTheTrim() throws {
        let f = try StoreFixture()
        // 3,000 failures kept for a month, created before a success that is past its day.
        let now = try f.nowMs()
        var batch: [RedisCommand] = []
        for i in 0..<3000 {
            let id = ExecutionID.make()
            batch.append(RedisCommand("HSET", f.keys.exec(id), "id", id, "job", "report", "state", "failed", "created", now - 3 * Self.hour))
            batch.append(RedisCommand("ZADD", f.keys.recent, now - 3 * Self.hour - Int64(i), id))
            batch.append(RedisCommand("ZADD", f.keys.byState("failed"), now - 3 * Self.hour, id))
        }
        _ = try f.redis.pipeline(batch)
        let old = try ended(f, .succeeded, agoMs: 2 * Self.hour)
        let ages = RetentionAges(succeeded: Self.hour, failed: 30 * 24 * Self.hour, timedOut: Self.hour, cancelled: Self.hour)
        #expect(try f.store.trim(maxCount: 100_000, ages: ages) == TrimRound(removed: 1, byCount: 0))
        #expect(try !exists(f, old))
        #expect(try f.send("ZCARD", f.keys.recent).int == 3000)
    }

    @Test func theSettingsDefaultToAgeAndNameTheirOwn() throws {
        var r = RetentionSettings()
        r.age = .seconds(60)
        r.failedAge = .seconds(3600)
        #expect(RetentionAges(r) == RetentionAges(succeeded: 60_000, failed: 3_600_000, timedOut: 60_000, cancelled: 60_000))
        let text = "[retention]\nage = 2d\nsucceeded-age = 1d\nfailed-age = 30d\ntimed-out-age = 10d\ncancelled-age = 12h"
        let c = try Configuration.parse(text: text, file: "F", validators: .init()).retention
        #expect(c.age(of: .succeeded) == .seconds(86_400) && c.age(of: .failed) == .seconds(30 * 86_400))
        #expect(c.age(of: .timedOut) == .seconds(10 * 86_400) && c.age(of: .cancelled) == .seconds(43_200))
        do {
            _ = try Configuration.parse(text: "[retention]\nage = 1d\nfailed-age = 0s", file: "F", validators: .init())
            Issue.record("a zero age was taken")
        } catch {
            #expect(error.diagnostics.map(\.description) == ["F:3: invalid \"failed-age\" in [retention]: 0s is too short (at least 1s)"])
        }
    }
}
