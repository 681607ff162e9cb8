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

struct GatewayFailoverTests {
    @Test func aFailingGatewayIsPassedOverForTheNext() throws {
        let down = try FakeGateway()
        let up = try FakeGateway()
        defer { down.stop(); up.stop() }
        down.answer(503)
        let d = GatewayDelivery(token: nil)
        // A closed port, a 503 and a working gateway, whichever comes first in the rotation.
        d.setGateways(["http://127.0.0.1:1", down.url, up.url])
        for i in 0..<3 {
            guard case .delivered(_, _, let gateway) = d.deliver(GatewayDeliveryTests.request("k\(i)")) else {
                Issue.record("fire \(i) was not delivered")
                continue
            }
            #expect(gateway == up.url)
        }
        #expect(up.executions.count == 3)
    }

    @Test(arguments: [503, 429])
    func noGatewayTakingItLeavesTheFireToRetry(status: Int) throws {
        let gw = try FakeGateway()
        defer { gw.stop() }
        gw.answer(status)
        let d = GatewayDelivery(token: nil)
        d.setGateways([gw.url])
        guard case .unavailable(let reason) = d.deliver(GatewayDeliveryTests.request("k")) else {
            Issue.record("expected unavailable")
            return
        }
        #expect(reason.contains("HTTP \(status)"))
        let none = GatewayDelivery(token: nil)
        #expect(none.deliver(GatewayDeliveryTests.request("k")) ==
                .unavailable(reason: "no live gateway registered in Redis and none in scheduler.gateways"))
    }

    @Test func aBadRequestIsRefusedForGoodWithTheGatewaysReason() throws {
        let gw = try FakeGateway()
        defer { gw.stop() }
        gw.answer(400)
        let d = GatewayDelivery(token: nil)
        d.setGateways([gw.url])
        #expect(d.deliver(GatewayDeliveryTests.request("k")) ==
                .rejected(status: 400, reason: "http_400: the test gateway answers 400"))
    }

    @Test func replaceCancelsThroughTheGateway() throws {
        let gw = try FakeGateway()
        defer { gw.stop() }
        let d = GatewayDelivery(token: "secret")
        d.setGateways([gw.url + "/"])
        #expect(d.cancel(executionId: "01JABCDEFGHJKMNPQRSTVWXYZ0"))
        #expect(gw.cancels == ["01JABCDEFGHJKMNPQRSTVWXYZ0"])
    }
}
