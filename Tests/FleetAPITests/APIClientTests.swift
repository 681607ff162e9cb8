import BatchCore
import FleetAPI
import HTTP
import Synchronization
import Testing
import TestSupport

/// A server in the test process answering the gateway's routes as told: what batchctl, batchtop
/// and the scheduler rely on, through the one client they share.
final class ScriptedGateway: Sendable {
    let server: HTTPServer
    let seen = Mutex<[HTTPHeaders]>([])
    let answer: Mutex<HTTPResponse>

    init(_ answer: HTTPResponse) throws {
        self.answer = Mutex(answer)
        let router = Router()
        server = HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0), router: router)
        for route in [GatewayAPI.execute, GatewayAPI.cancel, GatewayAPI.retry] {
            router.add(route) { [self] request in
                seen.withLock { $0.append(request.headers) }
                return self.answer.withLock { $0 }
            }
        }
        try server.start()
    }

    var url: String { "http://127.0.0.1:\(server.boundPort)" }
    func stop() { server.shutdown(deadline: .seconds(2)) }

    static let accepted = HTTPResponse.json(BatchExecutionResponse(executionId: "01JABCDEFGHJKMNPQRSTVWXYZ0", state: .queued, duplicate: false),
                                            status: 202)
    static var redisUnavailable: HTTPResponse {
        HTTPError(status: 503, title: "Service Unavailable", detail: "Redis is unavailable; nothing was changed",
                  type: GatewayAPI.ProblemType.redisUnavailable, headers: ["Retry-After": "1"]).response
    }
    static var outcomeUnknown: HTTPResponse {
        HTTPError(status: 504, title: "Outcome Unknown", detail: "it may or may not have been applied",
                  type: GatewayAPI.ProblemType.outcomeUnknown).response
    }
}

@Suite(.blocking) struct APIClientTests {
    let http = HTTPClient(connectTimeout: .seconds(2), requestTimeout: .seconds(5))
    static let request = BatchExecutionRequest(jobType: "report", idempotencyKey: "k")

    @Test func aRefusedConnectionPassesToTheNextAndTheHeadersArrive() throws {
        let gw = try ScriptedGateway(ScriptedGateway.accepted)
        defer { gw.stop() }
        let closed = "http://127.0.0.1:\(freeTCPPort())"
        let api = APIClient(http: http, bases: [closed, gw.url + "/"],
                            headers: APIClient.headers(token: "s3cret", user: "alice", source: "batchctl"))
        let answer = try api.call(GatewayAPI.execute(Self.request), failover: .whenNotSent)
        #expect(answer.value.executionId == "01JABCDEFGHJKMNPQRSTVWXYZ0")
        #expect(answer.base == gw.url)
        let h = try #require(gw.seen.withLock { $0.first })
        #expect(h["Authorization"] == "Bearer s3cret")
        #expect(h["X-Batch-User"] == "alice")
        #expect(h["X-Batch-Source"] == "batchctl")
        #expect(h["Content-Type"] == "application/json")
    }

    @Test func redisUnavailableIsReadWithItsTypeAndRetryAfter() throws {
        let gw = try ScriptedGateway(ScriptedGateway.redisUnavailable)
        defer { gw.stop() }
        let api = APIClient(http: http, bases: [gw.url])
        let e = #expect(throws: CallError.self) { try api.call(GatewayAPI.cancel(id: "01JABCDEFGHJKMNPQRSTVWXYZ0"), failover: .whenNotSent) }
        guard case .failed(let base, .refused(let p), let before)? = e else { Issue.record("\(String(describing: e))"); return }
        #expect(base == gw.url && before.isEmpty)
        #expect(p.status == 503 && p.nothingChanged && !p.outcomeUnknown)
        #expect(p.retryAfter == 1)
        #expect(p.message == "Redis is unavailable; nothing was changed")
    }

    /// An unknown outcome is final for a change without a key (it may have been made), and passed
    /// over for a fire, whose idempotency key makes the next gateway's answer the same execution.
    @Test func anUnknownOutcomeEndsACallUnlessTheRequestIsSafeToRepeat() throws {
        let unknown = try ScriptedGateway(ScriptedGateway.outcomeUnknown)
        let up = try ScriptedGateway(ScriptedGateway.accepted)
        defer { unknown.stop(); up.stop() }
        let api = APIClient(http: http, bases: [unknown.url, up.url])
        let e = #expect(throws: CallError.self) { try api.call(GatewayAPI.retry(id: "01JABCDEFGHJKMNPQRSTVWXYZ0"), failover: .whenNotSent) }
        guard case .failed(_, .refused(let p), _)? = e else { Issue.record("\(String(describing: e))"); return }
        #expect(p.status == 504 && p.outcomeUnknown)
        #expect(up.seen.withLock { $0.isEmpty })

        let answer = try api.call(GatewayAPI.execute(Self.request), failover: .whenNotTaken)
        #expect(answer.base == up.url)
    }

    @Test func noBaseURLAndNoneTakingItAreTold() throws {
        let api = APIClient(http: http, bases: [])
        #expect(throws: CallError.noBaseURL) { try api.call(GatewayAPI.cancel(id: "x"), failover: .whenNotSent) }
        let closed = "http://127.0.0.1:\(freeTCPPort())"
        let e = #expect(throws: CallError.self) {
            try APIClient(http: http, bases: [closed]).call(GatewayAPI.cancel(id: "x"), failover: .whenNotSent)
        }
        guard case .noneTook(let tried)? = e else { Issue.record("\(String(describing: e))"); return }
        #expect(tried.map(\.base) == [closed])
        #expect(tried.first?.failure.notSent == true)
    }
}
