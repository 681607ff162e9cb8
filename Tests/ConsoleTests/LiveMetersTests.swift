import BatchCore
@testable import Store
import Testing
@testable import Console

@Suite struct LiveMetersTests {
    @Test(arguments: [
        ([Int64](), nil as Double?),
        ([1_500], 1.5),
        ([100, 200, 300, 400, 500, 600, 700, 800, 900, 1_000, 1_100, 1_200, 1_300, 1_400, 1_500, 1_600, 1_700, 1_800, 1_900, 2_000], 1.9),
        ([5_000, 10, 20], 5.0),
    ])
    func p95IsTheNearestRankOfRunTimes(runs: [Int64], expected: Double?) {
        #expect(LiveMeters.p95Seconds(runs) == expected)
    }

    @Test func successRateLeavesCancelsOut() {
        #expect(LiveMeters.successRate(ended: [.succeeded: 3, .failed: 1, .cancelled: 10]) == 0.75)
        #expect(LiveMeters.successRate(ended: [.succeeded: 0, .failed: 1, .timedOut: 1]) == 0)
        #expect(LiveMeters.successRate(ended: [.cancelled: 4]) == nil)
        #expect(LiveMeters.successRate(ended: [:]) == nil)
    }

    @Test func throughputIsEndsPerSecondOfTheWindow() {
        #expect(LiveMeters.throughput(ended: [.succeeded: 90, .failed: 30], windowMillis: 60_000) == 2)
        #expect(LiveMeters.throughput(ended: [.succeeded: 5, .queued: 100], windowMillis: 10_000) == 0.5)
        #expect(LiveMeters.throughput(ended: [.succeeded: 5], windowMillis: 0) == 0)
    }

    @Test(arguments: [
        ("failed", ExecutionQuery(state: .failed) as ExecutionQuery?),
        ("TIMED_OUT", ExecutionQuery(state: .timedOut)),
        ("report lost", ExecutionQuery(job: "report", text: ["lost"])),
        ("repo", ExecutionQuery(text: ["repo"])),
        ("failed job:sleep since:1s", ExecutionQuery(state: .failed, job: "sleep", since: 9_000)),
        ("failed since:ye", nil),
        ("  ", nil),
    ])
    func theFilterIsTheStoresQueryAndAServedJobNarrowsIt(filter: String, query: ExecutionQuery?) {
        #expect(StoreDataSource.query(for: filter, jobs: ["report", "sleep"], now: 10_000) == query)
    }

    @Test(arguments: [
        (ParamType.string, "string"),
        (.int(min: -5, max: 10), "int -5..10"),
        (.oneOf(["KRW", "USD"]), "enum KRW|USD"),
        (.pattern("^[a-z]+$"), "pattern ^[a-z]+$"),
    ])
    func paramTypesBecomeTheFormsTypeHints(type: ParamType, hint: String) {
        #expect(LiveRows.typeHint(type) == hint)
    }

    @Test func eventTextPutsTheStateFirstAndNamesTheSubject() {
        let e = StreamEvent(streamID: "1795612453000-0", fields: ["type": "finish", "id": "01JABC", "state": "failed",
                                                                 "worker": "w1", "reason": "exit_code", "error": ""])
        let row = LiveRows.event(e)
        #expect(row.id == "01JABC")
        #expect(row.type == "finish")
        #expect(row.text == "state=failed reason=exit_code worker=w1")
        #expect(row.time.timeIntervalSince1970 == 1_795_612_453)
    }

    @Test func breakerRatesBecomeFractionsAndTooFewCallsShowAsUnknown() {
        let json = #"{"calls":2,"failedCalls":1,"failureRate":-1,"halfOpenPermitsLeft":0,"notPermittedCalls":0,"slowCallRate":-1,"slowCalls":0,"slowFailedCalls":0,"state":"half_open"}"#
        let rows = LiveRows.breakers(["g1": ["w1": json, "w2": "not json"]])
        #expect(rows == ["w1": [BreakerRow(gateway: "g1", state: "half_open", failureRate: nil, slowRate: nil, calls: 2)]])
    }
}
