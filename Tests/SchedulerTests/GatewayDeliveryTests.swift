import BatchCore
import HTTP
@testable import Scheduler
import Testing

/// Delivery to gateways over real HTTP (the fake gateway in this process).
struct GatewayDeliveryTests {
    static func request(_ key: String) -> BatchExecutionRequest {
        BatchExecutionRequest(jobType: "report", params: ["at": .string("x")], idempotencyKey: key, priority: 5,
                              trigger: Trigger(source: "schedule", schedule: "s", fireTime: "2026-01-01T00:00:00Z"))
    }

    @Test func deliversAndGetsTheSameExecutionForTheSameKey() throws {
        let gw = try FakeGateway()
        defer { gw.stop() }
        let d = GatewayDelivery(token: nil)
        d.setGateways([gw.url])
        guard case .delivered(let id, let state, _) = d.deliver(Self.request("k1")) else {
            Issue.record("not delivered: \(d.deliver(Self.request("k1")))")
            return
        }
        #expect(state == "queued")
        #expect(d.deliver(Self.request("k1")) == .delivered(executionId: id, state: "queued", gateway: gw.url))
        #expect(gw.received.count == 2 && gw.executions.count == 1)
    }
}
