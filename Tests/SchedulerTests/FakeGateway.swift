import BatchCore
import FleetAPI
import Foundation
import HTTP
import Synchronization

/// A gateway stand-in in the test process: records every execute request and,
/// like the real one, answers the same execution id for the same idempotency key.
final class FakeGateway: Sendable {
    struct Received: Sendable {
        var request: BatchExecutionRequest
        /// Local wall clock, ms.
        var at: Int64
    }

    private struct State {
        var received: [Received] = []
        var executions: [String: String] = [:]
        var cancels: [String] = []
        var status = 202
    }

    /// What the handlers share with the test.
    private final class Ledger: Sendable {
        let state = Mutex(State())
    }

    let server: HTTPServer
    private let ledger = Ledger()

    init() throws {
        let router = Router()
        server = HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0), router: router)
        let ledger = self.ledger
        router.add(GatewayAPI.execute) { request in
            let body = try request.decodeJSON(BatchExecutionRequest.self)
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let answer = ledger.state.withLock { s -> (Int, String, Bool) in
                if s.status != 202 { return (s.status, "", false) }
                s.received.append(Received(request: body, at: now))
                let key = body.idempotencyKey ?? UUID().uuidString
                if let id = s.executions[key] { return (202, id, true) }
                let id = ExecutionID.make()
                s.executions[key] = id
                return (202, id, false)
            }
            if answer.0 != 202 {
                return .problem(status: answer.0, title: "Refused", detail: "the test gateway answers \(answer.0)")
            }
            return .json(BatchExecutionResponse(executionId: answer.1, state: .queued, duplicate: answer.2), status: 202)
        }
        router.add(GatewayAPI.cancel) { request in
            ledger.state.withLock { $0.cancels.append(request.pathParameters["id"] ?? "") }
            return .json(["state": "cancelling"], status: 202)
        }
        try server.start()
    }

    var url: String { "http://127.0.0.1:\(server.boundPort)" }
    var received: [Received] { ledger.state.withLock { $0.received } }
    /// Idempotency key → execution id.
    var executions: [String: String] { ledger.state.withLock { $0.executions } }
    var cancels: [String] { ledger.state.withLock { $0.cancels } }

    /// Makes every execute request answer `status` (202: normal).
    func answer(_ status: Int) { ledger.state.withLock { $0.status = status } }

    func stop() { server.shutdown(deadline: .seconds(2)) }
}
