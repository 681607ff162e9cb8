import BatchCore
import Foundation
import Store
import Testing
import TestSupport

/// Tagged executions in a real terminal, against a real Redis and a built gateway: two
/// tagged, one confirmation naming two, both cancelled, the action audited once.
@Suite(.blocking) struct BatchtopTagTmuxTests {
    typealias Session = BatchtopTmuxTests.Session

    @Test func twoTaggedExecutionsAreCancelledAfterOneConfirmationNamingTwo() throws {
        let f = try LiveFixture()
        let ids = try f.seed()
        // Two running executions, the newest rows: the gateway leaves leased ones alone.
        let one = try f.run(job: "sleep", to: nil)
        let two = try f.run(job: "sleep", to: nil)
        let newest = try f.newestFirst([one, two])
        let gateway = try DaemonProcess("batch-gateway", config: "", redisURL: f.server.url, namespace: f.namespace)
        defer { gateway.stop() }
        try gateway.waitReady()
        let s = try Session(arguments: "--redis '\(f.server.url)' --namespace '\(f.namespace)' -d 0.3", environment: "USER=tmux-operator")
        defer { s.close() }
        // A tagged row's id starts with *.
        func tagged(_ screen: String, _ id: String) -> Bool {
            screen.split(separator: "\n").contains { $0.hasPrefix("*") && $0.contains(id.suffix(20)) }
        }
        try s.waitForScreen("the executions") { $0.contains(one) && $0.contains(two) && $0.contains(ids.succeeded) }
        try s.press("Space")
        try s.press("Down")
        try s.press("Space")
        try s.waitForScreen("the two newest rows tagged") { tagged($0, newest[0]) && tagged($0, newest[1]) && !tagged($0, ids.running) }
        try s.press("c")
        try s.waitForScreen("the confirmation naming two") { $0.contains("Cancel 2 executions?") && $0.contains("y: yes") }
        #expect(try f.executions.get(one)?.state == .running, "cancelled before the operator said yes")
        try s.press("y")
        var states: [ExecutionState?] = []
        let cancelled = try waitUntil(timeout: .seconds(20), poll: .milliseconds(100)) {
            states = [try f.executions.get(one)?.state, try f.executions.get(two)?.state]
            return states.allSatisfy { $0 == .cancelling || $0 == .cancelled }
        }
        #expect(cancelled, "the states were \(states)")
        try s.waitForScreen("the outcome, the tags gone") { screen in
            screen.contains("cancel requested for 2 executions") && !tagged(screen, one) && !tagged(screen, two)
        }
        let audit = try f.executions.recentEvents(count: 50, audit: true)
        let tagged = audit.filter { $0.type == "cancel-tagged" }
        #expect(tagged.count == 1 && tagged.first?.fields["count"] == "2" && tagged.first?[.user] == "tmux-operator")
        #expect(Set(audit.filter { $0.type == "cancel" }.compactMap(\.executionID)) == [one, two])
        try s.press("q")
        try s.expectExitAfterQuit()
    }
}
