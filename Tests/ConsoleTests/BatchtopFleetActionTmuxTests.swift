import BatchCore
import Foundation
import Resilience
import Store
import Testing
import TestSupport

/// The workers and schedules views' actions in a real terminal, against a real Redis and
/// a built gateway: what the operator confirms in batchtop is what the fleet then does.
@Suite(.blocking) struct BatchtopFleetActionTmuxTests {
    typealias Session = BatchtopTmuxTests.Session

    /// Keeps the seeded worker live. Its address refuses connections at once, so the
    /// gateway never hands its work to whatever else may listen on a real worker's port.
    func beat(_ f: LiveFixture) {
        _ = try? f.fleet.heartbeat(id: LiveFixture.worker, fields: ["role": "worker", "host": "box1",
                                                                    "address": "http://127.0.0.1:1", "slots": "4", "running": "1"])
    }

    /// The state the gateway `gateway` publishes for the seeded worker's breaker.
    func publishedState(_ f: LiveFixture, gateway: String) -> BreakerState? {
        guard let json = (try? f.fleet.breakers(gateways: [gateway]))?[gateway]?[LiveFixture.worker] else { return nil }
        return (try? JSONDecoder().decode(BreakerMetrics.self, from: Data(json.utf8)))?.state
    }

    /// The operator's actions in the audit stream, each as its fields.
    func audit(_ f: LiveFixture) throws -> [[String: String]] {
        try f.executions.recentEvents(count: 50, audit: true).map(\.fields)
    }

    @Test func breakerForcedOpenFromTheWorkersViewOpensItInTheGatewayAndResetClearsIt() throws {
        let f = try LiveFixture()
        try f.seed()
        beat(f)
        let gatewayID = "gateway-tmux-\(getpid())"
        let gateway = try DaemonProcess("batch-gateway", config: "", redisURL: f.server.url, namespace: f.namespace, id: gatewayID)
        defer { gateway.stop() }
        try gateway.waitReady()
        let s = try Session(arguments: "--redis '\(f.server.url)' --namespace '\(f.namespace)' -d 2 -v workers",
                            environment: "USER=tmux-operator")
        defer { s.close() }
        let worker = LiveFixture.worker

        try s.waitForScreen("the worker, with the real gateway's breaker for it", timeout: .seconds(30)) { screen in
            beat(f)
            return screen.contains(worker) && publishedState(f, gateway: gatewayID) != nil
        }
        try s.press("O")
        try s.waitForScreen("the confirmation naming the worker") { screen in
            beat(f)
            return screen.contains("Force the breaker of worker \(worker) open on every gateway?") && screen.contains("y: yes")
        }
        #expect(try f.fleet.breakerOverrides()[worker] == nil, "the override was written before the operator said yes")
        try s.press("y")
        var state: BreakerState?
        let opened = try waitUntil(timeout: .seconds(30), poll: .milliseconds(100)) {
            beat(f)
            state = publishedState(f, gateway: gatewayID)
            return try f.fleet.breakerOverrides()[worker] == "forced_open" && state == .forcedOpen
        }
        let override = try f.fleet.breakerOverrides()[worker]
        #expect(opened, "override \(String(describing: override)), gateway's breaker \(String(describing: state))")
        // The outcome stays on the status line for a few samples; the row's breaker stays.
        try s.waitForScreen("the outcome") { beat(f); return $0.contains("breakers of \(worker) forced open in every gateway") }
        try s.waitForScreen("the forced-open breaker on the worker's row") { screen in
            beat(f)
            return screen.split(separator: "\n").first { $0.hasPrefix(worker) }?.contains("forced_open") == true
        }
        #expect(try audit(f).contains { entry in
            entry["action"] == "breaker" && entry["worker"] == worker && entry["value"] == "forced_open"
                && entry["user"] == "tmux-operator" && entry["source"] == "batchtop"
        })

        try s.press("R")
        try s.waitForScreen("the reset's confirmation") { screen in
            beat(f)
            return screen.contains("Reset the breaker of worker \(worker) to automatic on every gateway?")
        }
        try s.press("y")
        let reset = try waitUntil(timeout: .seconds(30), poll: .milliseconds(100)) {
            beat(f)
            state = publishedState(f, gateway: gatewayID)
            return try f.fleet.breakerOverrides()[worker]?.hasPrefix("reset@") == true && state != nil && state != .forcedOpen
        }
        #expect(reset, "the gateway's breaker is still \(String(describing: state)) after the reset")
        try s.waitForScreen("the reset's outcome") { beat(f); return $0.contains("breakers of \(worker) reset in every gateway") }
        try s.press("q")
        try s.expectExitAfterQuit()
    }

    @Test func aSchedulePausedFromTheSchedulesViewShowsAsPausedAndResumes() throws {
        let f = try LiveFixture()
        try f.seed()  // nightly-report runs; every-minute is paused by an operator
        let s = try Session(arguments: "--redis '\(f.server.url)' --namespace '\(f.namespace)' -d 2 -v schedules -f nightly-report",
                            environment: "USER=tmux-operator")
        defer { s.close() }
        func row(_ screen: String) -> Substring? { screen.split(separator: "\n").first { $0.hasPrefix("nightly-report ") } }

        try s.waitForScreen("the running schedule") { screen in row(screen).map { !$0.contains("paused") } ?? false }
        try s.press("P")
        try s.waitForScreen("the pause's confirmation") { $0.contains("Pause schedule nightly-report for every scheduler?") }
        try s.press("y")
        try s.waitForScreen("the outcome") { $0.contains("schedule nightly-report paused for every scheduler") }
        try s.waitForScreen("the schedule shown paused") { row($0)?.contains("paused") == true }
        #expect(try f.schedules.paused().contains("nightly-report"))
        #expect(try audit(f).contains { entry in
            entry["schedule"] == "nightly-report" && entry["user"] == "tmux-operator" && entry["source"] == "batchtop"
        })

        try s.press("U")
        try s.waitForScreen("the resume's confirmation") { $0.contains("Resume schedule nightly-report for every scheduler?") }
        try s.press("y")
        try s.waitForScreen("the outcome") { $0.contains("schedule nightly-report resumed for every scheduler") }
        try s.waitForScreen("the schedule running again") { row($0).map { !$0.contains("paused") } == true }
        #expect(try !f.schedules.paused().contains("nightly-report"))
        try s.press("q")
        try s.expectExitAfterQuit()
    }

    @Test func readOnlyRefusesTheFleetKeysOnTheStatusLine() throws {
        let f = try LiveFixture()
        try f.seed()
        let s = try Session(arguments: "--redis '\(f.server.url)' --namespace '\(f.namespace)' -d 0.3 -v workers --read-only")
        defer { s.close() }
        try s.waitForScreen("the worker") { $0.contains(LiveFixture.worker) }
        for (view, keys) in [("2", ["O", "C", "R"]), ("3", ["P", "U", "T"])] {
            try s.press(view)
            for key in keys {
                try s.press("C-l")
                try s.press(key)
                try s.waitForScreen("the refusal of \(key)") { screen in
                    screen.contains("read-only: batchtop was started with --read-only") && !screen.contains("y: yes")
                }
            }
        }
        #expect(try f.fleet.breakerOverrides().isEmpty)
        #expect(try f.schedules.paused() == ["every-minute"])
        try s.press("q")
        try s.expectExitAfterQuit()
    }
}
