import BatchCore
import FleetAPI
import FleetTestSupport
import Foundation
import HTTP
import Schedule
import Store
import Testing
import TestSupport

/// `notBefore` and `delay` on the built gateway: an execution waits `scheduled` until its
/// time on Redis' clock, then runs once, queued by whichever gateway gets it first.
@Suite(.blocking) struct RunLaterTests {
    func execution(_ f: GatewayFixture, _ r: HTTPClientResponse) throws -> BatchExecutionResponse {
        try JSONDecoder().decode(BatchExecutionResponse.self, from: Data(r.body))
    }

    @Test func aDelayedExecutionWaitsScheduledThenRunsOnce() throws {
        let f = try GatewayFixture()
        defer { f.stop() }
        let w = try f.worker("w")
        defer { w.stop() }
        try f.waitForJob()
        let r = try f.execute(#"{"jobType":"noop","delay":"1500ms"}"#)
        #expect(r.status == 202, "\(r.text)")
        let e = try execution(f, r)
        #expect(e.state == .scheduled)
        let rec = try #require(try f.store.get(e.executionId))
        #expect(rec.state == .scheduled && rec.due != nil)
        // The API shows it with its due time; cancel is not needed, it runs on its own.
        let shown = try f.client.request("GET", f.gateway.url + "/api/orchestration/executions/\(e.executionId)")
        #expect(shown.text.contains(#""state":"scheduled""#) && shown.text.contains(#""due":"#), "\(shown.text)")
        #expect(try waitUntil(timeout: .seconds(20)) { try f.store.get(e.executionId)?.state == .succeeded }, "\(f.gateway.log)")
        let done = try #require(try f.store.get(e.executionId))
        let due = try #require(done.due)
        let queued = try #require(done.queued)
        #expect(queued >= due, "queued before its time")
        #expect(w.received.withLock { $0.filter { $0 == e.executionId }.count } == 1)
    }

    @Test func cancelEndsAScheduledExecutionBeforeItRuns() throws {
        let f = try GatewayFixture()
        defer { f.stop() }
        let w = try f.worker("w")
        defer { w.stop() }
        try f.waitForJob()
        let at = Instant(millisecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1000) + 3_600_000).iso8601(in: .utc)
        let e = try execution(f, try f.execute(#"{"jobType":"noop","notBefore":"\#(at)"}"#))
        #expect(e.state == .scheduled)
        let c = try f.client.request("POST", f.gateway.url + "/api/orchestration/executions/\(e.executionId)/cancel")
        #expect(c.status == 202, "\(c.text)")
        #expect(try f.store.get(e.executionId)?.state == .cancelled)
        #expect(try f.store.queueDepth().scheduled == 0)
    }

    @Test func timingThatCannotBeReadIsRefusedWithItsField() throws {
        let f = try GatewayFixture(config: "[gateway]\nmax-delay = 1h")
        defer { f.stop() }
        let w = try f.worker("w")
        defer { w.stop() }
        try f.waitForJob()
        let before = try f.store.counts().values.reduce(0, +)
        let cases: [(String, String, String)] = [
            (#"{"jobType":"noop","notBefore":"2026-12-08T02:00:00"}"#, "notBefore", "offset"),
            (#"{"jobType":"noop","notBefore":"tomorrow"}"#, "notBefore", "ISO 8601"),
            (#"{"jobType":"noop","delay":"soon"}"#, "delay", "duration"),
            (#"{"jobType":"noop","delay":-5}"#, "delay", "duration"),
            (#"{"jobType":"noop","delay":"2h"}"#, "delay", "gateway.max-delay"),
            (#"{"jobType":"noop","notBefore":"2099-01-01T00:00:00Z"}"#, "notBefore", "gateway.max-delay"),
            (#"{"jobType":"noop","delay":"1m","notBefore":"2026-12-08T02:00:00Z"}"#, "notBefore", "not both"),
        ]
        for (body, field, words) in cases {
            let r = try f.execute(body)
            #expect(r.status == 400, "\(body) → \(r.status) \(r.text)")
            #expect(r.text.contains(#""field":"\#(field)""#) && r.text.contains(words), "\(body) → \(r.text)")
        }
        #expect(try f.store.counts().values.reduce(0, +) == before)
        // A number of seconds is a delay too; a time already past runs at once.
        #expect(try execution(f, try f.execute(#"{"jobType":"noop","delay":600}"#)).state == .scheduled)
        #expect(try execution(f, try f.execute(#"{"jobType":"noop","notBefore":"2020-01-01T00:00:00+01:00"}"#)).state != .scheduled)
    }

    /// Two gateways, a thousand executions due in the same second: every one runs, none twice.
    @Test func aThousandDueAtOnceRunOnceEachAcrossTwoGateways() throws {
        let f = try GatewayFixture()
        defer { f.stop() }
        let second = try DaemonProcess("batch-gateway", config: "[gateway]\nlease = 5s\n", redisURL: try RedisServer.shared.url,
                                       namespace: f.namespace)
        defer { second.stop() }
        try second.waitReady()
        let w = try f.worker("w", slots: 256)
        defer { w.stop() }
        try f.waitForJob()
        let at = Instant(millisecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1000) + 3_000).iso8601(in: .utc)
        let items = (0..<GatewayAPI.maxBatch).map { _ in #"{"jobType":"noop","notBefore":"\#(at)"}"# }.joined(separator: ",")
        let r = try f.client.request("POST", f.gateway.url + GatewayAPI.executeMany.pattern, headers: ["Content-Type": "application/json"],
                                     body: Array(#"{"executions":[\#(items)]}"#.utf8))
        #expect(r.status == 200, "\(r.text.prefix(300))")
        let a = try JSONDecoder().decode(GatewayAPI.ExecuteManyResponse.self, from: Data(r.body))
        let ids = a.results.compactMap(\.executionId)
        #expect(ids.count == GatewayAPI.maxBatch && a.results.allSatisfy { $0.state == .scheduled })
        let allDone = try waitUntil(timeout: .seconds(60), poll: .milliseconds(200)) {
            try f.store.counts()[.succeeded] ?? 0 >= GatewayAPI.maxBatch + 1
        }
        let counts = try f.store.counts()
        #expect(allDone, "counts: \(counts)")
        // A dispatch may be offered again after a timeout; what counts is that each started once.
        var notOnce: [String] = []
        for id in ids {
            let rec = try f.store.get(id)
            if rec?.state != .succeeded || rec?.runs != 1 { notOnce.append("\(id): \(rec?.state.rawValue ?? "-") runs \(rec?.runs ?? -1)") }
        }
        #expect(notOnce.isEmpty, "\(notOnce.prefix(10))")
        #expect(w.overlaps.load(ordering: .relaxed) == 0)
    }
}
