import BatchCore
import FleetAPI
import Foundation
import HTTP
import Store
import Testing
import TestSupport

/// `POST /api/orchestration/executions:batch` on the built gateway: many executions in one
/// request and one Redis round trip, each item answered as `execute` would answer it alone.
@Suite(.blocking) struct ExecuteManyTests {
    /// A gateway with one worker that serves `noop` and takes nothing (what is queued stays
    /// queued), ready to admit `noop`; `body` runs with it, and both are stopped after.
    func withGateway(config: String = "", label: String = #function, _ body: (GatewayFixture) throws -> Void) throws {
        let f = try GatewayFixture(label, config: config)
        defer { f.stop() }
        let w = try f.worker("w", mode: .full)
        defer { w.stop() }
        try f.waitForJob()
        try body(f)
    }

    /// Executions in the fixture's namespace, in every state.
    func total(_ f: GatewayFixture) throws -> Int { try f.store.counts().values.reduce(0, +) }

    func post(_ f: GatewayFixture, _ body: String, query: String = "") throws -> HTTPClientResponse {
        try f.client.request("POST", f.gateway.url + GatewayAPI.executeMany.pattern + query,
                             headers: ["Content-Type": "application/json"], body: Array(body.utf8))
    }

    func answer(_ r: HTTPClientResponse) throws -> GatewayAPI.ExecuteManyResponse {
        try JSONDecoder().decode(GatewayAPI.ExecuteManyResponse.self, from: Data(r.body))
    }

    /// The gateway's count of round trips to Redis that carried creates.
    func createRoundTrips(_ f: GatewayFixture) throws -> Double {
        let text = try f.client.request("GET", f.gateway.url + "/metrics").text
        let line = text.split(separator: "\n").first { $0.hasPrefix("batch_store_round_trips_total{operation=\"create\"}") }
        return line.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
    }

    @Test func aThousandExecutionsInOneRequestTakeOneRoundTrip() throws {
        try withGateway { f in
            let before = try total(f)
            let trips = try createRoundTrips(f)
            let items = (0..<GatewayAPI.maxBatch).map { #"{"jobType":"noop","priority":\#($0 % 10)}"# }.joined(separator: ",")
            let r = try post(f, #"{"executions":[\#(items)]}"#)
            #expect(r.status == 200, "\(r.text.prefix(500))")
            let a = try answer(r)
            #expect(a.accepted == GatewayAPI.maxBatch && a.refused == 0)
            #expect(a.results.allSatisfy { $0.status == 202 && $0.state == .queued && $0.duplicate == false })
            #expect(Set(a.results.compactMap(\.executionId)).count == GatewayAPI.maxBatch)
            #expect(try total(f) == before + GatewayAPI.maxBatch)
            #expect(try createRoundTrips(f) - trips == 1, "the batch took more than one round trip to Redis")
            let one = try #require(try f.store.get(a.results[7].executionId ?? ""))
            #expect(one.priority == 7 && one.job == "noop")
        }
    }

    @Test func eachItemIsAnsweredAsExecuteWouldAnswerIt() throws {
        try withGateway { f in
            let before = try total(f)
            let r = try post(f, """
                {"executions":[
                  {"jobType":"noop","idempotencyKey":"k1"},
                  {"jobType":"nope"},
                  {"jobType":"noop","priority":42},
                  {"jobType":"noop","idempotencyKey":"k1"},
                  {"jobType":"noop","idempotencyKey":"k1","priority":3},
                  {"jobType":"noop","trigger":{"source":"schedule","schedule":"s"}},
                  {"jobType":"noop","params":{"x":"1"}}
                ]}
                """)
            #expect(r.status == 200, "\(r.text)")
            let a = try answer(r).results
            try #require(a.count == 7)
            #expect(a[0].status == 202 && a[0].duplicate == false)
            #expect(a[1].status == 400 && a[1].field == "jobType" && a[1].detail?.contains("unknown job type") == true, "\(a[1])")
            #expect(a[2].status == 400 && a[2].field == "priority", "\(a[2])")
            // The same key and request again, in the same batch: the first one, as a duplicate.
            #expect(a[3].status == 202 && a[3].duplicate == true && a[3].executionId == a[0].executionId, "\(a[3])")
            // The same key with another request: refused, naming the key.
            #expect(a[4].status == 409 && a[4].type == GatewayAPI.ProblemType.keyReused, "\(a[4])")
            #expect(a[5].status == 403 && a[5].type == GatewayAPI.ProblemType.triggerReserved, "\(a[5])")
            #expect(a[6].status == 400 && a[6].field == "params", "\(a[6])")
            #expect(try total(f) == before + 1)
        }
    }

    @Test func theEnvelopeIsCheckedBeforeAnything() throws {
        try withGateway { f in
            let before = try total(f)
            let tooMany = (0...GatewayAPI.maxBatch).map { _ in #"{"jobType":"noop"}"# }.joined(separator: ",")
            let cases: [(String, String, Int, String)] = [
                (#"{"executions":[\#(tooMany)]}"#, "", 413, "the most is 1000"),
                (#"{"executions":[]}"#, "", 400, "empty"),
                ("[]", "", 400, "expected a JSON object"),
                (#"{"executions":[{"jobType":"noop"}],"executions":[]}"#, "", 400, "appears twice"),
                (#"{"executions":{"jobType":"noop"}}"#, "", 400, "executions"),
                (#"{"executions":[{"jobType":"noop"}]}"#, "?wait=5", 400, "wait"),
            ]
            for (body, query, status, text) in cases {
                let r = try post(f, body, query: query)
                #expect(r.status == status && r.text.contains(text), "\(body.prefix(80)) → \(r.status) \(r.text.prefix(300))")
            }
            #expect(try total(f) == before)
        }
    }

    @Test func itemsOverTheQueueLimitAreRefusedOneByOne() throws {
        try withGateway(config: "[gateway]\nqueue-limit = 4") { f in
            // Four fit (three while the probe of waitForJob still waits in the queue): the first ones
            // are queued, every later one refused with the queue's limit.
            let items = (0..<7).map { _ in #"{"jobType":"noop"}"# }.joined(separator: ",")
            let a = try answer(try post(f, #"{"executions":[\#(items)]}"#))
            let statuses = a.results.map(\.status)
            #expect((3...4).contains(a.accepted) && statuses == Array(repeating: 202, count: a.accepted) + Array(repeating: 429, count: 7 - a.accepted),
                    "\(statuses)")
            #expect(a.results.filter { $0.status == 429 }.allSatisfy { $0.detail?.contains("gateway.queue-limit") == true })
        }
    }
}
