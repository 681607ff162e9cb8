import BatchCore
import FleetAPI
import HTTP
import Testing

struct RouteTests {
    @Test func aPathFillsEachParameterInOrderAndKeepsItOneSegment() {
        #expect(GatewayAPI.cancel.path("01JABCDEFGHJKMNPQRSTVWXYZ0") == "/api/orchestration/executions/01JABCDEFGHJKMNPQRSTVWXYZ0/cancel")
        #expect(GatewayAPI.retry.path("a/b?c") == "/api/orchestration/executions/a%2Fb%3Fc/retry")
        #expect(GatewayAPI.execution.path("..") == "/api/orchestration/executions/%2E%2E")
        #expect(WorkerAPI.dispatch.path("report") == "/api/batch/report")
        #expect(WorkerAPI.dispatchBatch.path() == "/api/batch")
    }

    @Test func typedRequestsUseTheirRoutes() throws {
        #expect(GatewayAPI.cancel(id: "x").method == "POST")
        #expect(GatewayAPI.cancel(id: "x").path == "/api/orchestration/executions/x/cancel")
        #expect(GatewayAPI.retry(id: "x").path == "/api/orchestration/executions/x/retry")
        let execute = try GatewayAPI.execute(.init(jobType: "a/b", params: [:]))
        #expect(execute.path == "/api/orchestration/execute")
        #expect(String(decoding: execute.body, as: UTF8.self).contains(#""jobType":"a/b""#))
    }
}

struct ProblemTests {
    static func response(_ status: Int, _ body: String, headers: HTTPHeaders = [:]) -> HTTPClientResponse {
        HTTPClientResponse(status: status, headers: headers, body: Array(body.utf8))
    }

    @Test func aProblemDocumentIsReadWithItsTypeAndRetryAfter() {
        let p = Problem(Self.response(503, #"{"type":"https://batch.invalid/problems/redis-unavailable","title":"Service Unavailable","status":503,"detail":"Redis is unavailable"}"#,
                                      headers: ["Retry-After": "1"]))
        #expect(p.status == 503 && p.title == "Service Unavailable" && p.detail == "Redis is unavailable")
        #expect(p.retryAfter == 1)
        #expect(p.nothingChanged && !p.outcomeUnknown)
        #expect(p.message == "Redis is unavailable")
        #expect(Problem(Self.response(504, #"{"type":"https://batch.invalid/problems/outcome-unknown"}"#)).outcomeUnknown)
    }

    @Test(arguments: [
        (#"{"title":"Conflict"}"#, "Conflict"),
        (#"{"detail":7,"title":"Conflict"}"#, "Conflict"),
        ("  proxy says no\n", "proxy says no"),
        ("", "HTTP 502"),
    ])
    func theMessageFallsBackFromDetailToTitleToTheBody(body: String, message: String) {
        #expect(Problem(Self.response(502, body)).message == message)
    }
}

struct FailoverTests {
    static let refused = CallFailure.transport(.connectionRefused("x"))
    static let timedOut = CallFailure.transport(.timedOut("x"))
    static func status(_ s: Int) -> CallFailure { .refused(Problem(status: s)) }

    @Test func whenNotSentPassesOverOnlyARefusedConnection() {
        let f = Failover.whenNotSent
        #expect(f.passesOver(Self.refused))
        for other in [Self.timedOut, Self.status(503), Self.status(429), CallFailure.undecodable(status: 200, text: "", error: "")] {
            #expect(!f.passesOver(other))
        }
    }

    @Test func whenNotTakenPassesOverWhatAnotherGatewayMayTake() {
        let f = Failover.whenNotTaken
        for s in [408, 429, 500, 503, 504] { #expect(f.passesOver(Self.status(s))) }
        for s in [400, 401, 403, 404, 409] { #expect(!f.passesOver(Self.status(s))) }
        #expect(f.passesOver(Self.refused) && f.passesOver(Self.timedOut))
    }

    @Test func exceptAnswersEndsOnlyOnTheGivenStatuses() {
        let f = Failover.exceptAnswers([404, 409])
        #expect(!f.passesOver(Self.status(404)) && !f.passesOver(Self.status(409)))
        #expect(f.passesOver(Self.status(401)) && f.passesOver(Self.status(500)) && f.passesOver(Self.timedOut))
    }
}
