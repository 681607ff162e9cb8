import Foundation
import Redis
import Store
import Testing
import TestSupport

/// What an operator sees in a real terminal at the moments that matter (issue 19's
/// defects): each written to fail on the console as it was.
@Suite(.blocking) struct BatchtopOperatorTmuxTests {
    typealias Session = BatchtopTmuxTests.Session

    func session(_ f: LiveFixture, _ extra: String = "") throws -> Session {
        try Session(arguments: "--redis '\(f.server.url)' --namespace '\(f.namespace)' -d 0.3 \(extra)")
    }

    func beat(_ f: LiveFixture) {
        _ = try? f.fleet.heartbeat(id: LiveFixture.worker, fields: ["role": "worker", "host": "box1",
                                                                    "address": "http://127.0.0.1:20190", "slots": "4", "running": "1"])
    }

    @Test func ctrlCAndF10InsideTheTriggerFormCloseTheFormAndTheConsoleStays() throws {
        let f = try LiveFixture()
        try f.seed()
        let s = try session(f)
        defer { s.close() }
        for key in ["C-c", "F10"] {
            try s.waitForScreen("the console") { beat(f); return $0.contains("Executions") && $0.contains("1/1 up") }
            try s.press("t")
            try s.waitForScreen("the trigger form") { beat(f); return $0.contains("choose a job type") }
            try s.press(key)
            try s.waitForScreen("the form closed by \(key), nothing sent") { screen in
                !screen.contains("choose a job type") && screen.contains("nothing was sent")
            }
            #expect(!FileManager.default.fileExists(atPath: s.directory + "/exit-status"), "\(key) in the form quit batchtop")
        }
        try s.press("C-c")  // from the view, Ctrl-C quits, cleanly
        try s.expectExitAfterQuit()
    }

    @Test func retryAsksFirstAndTwoPressesMakeNoExecution() throws {
        let f = try LiveFixture()
        let ids = try f.seed()
        let s = try session(f, "-f failed")
        defer { s.close() }
        try s.waitForScreen("the failed execution") { $0.contains(ids.failed) }
        let before = try f.executions.list(limit: 100).executions.count
        try s.press("r")
        try s.press("r")
        try s.waitForScreen("the retry confirmation") { $0.contains("Retry sleep execution \(ids.failed)") && $0.contains("y: yes") }
        try s.press("n")
        try s.waitForScreen("the dialog closed") { !$0.contains("y: yes") && $0.contains("nothing done") }
        #expect(try f.executions.list(limit: 100).executions.count == before)
        try s.press("q")
        try s.expectExitAfterQuit()
    }

    @Test func enterOnAScheduleEventSaysItNamesNoExecutionInsteadOfLoadingForever() throws {
        let f = try LiveFixture()
        try f.seed()  // its last event: the operator paused schedule every-minute
        let s = try session(f, "-v events")
        defer { s.close() }
        try s.waitForScreen("the schedule's event on top") { screen in
            screen.split(separator: "\n").dropFirst(7).first?.contains("every-minute") == true
        }
        try s.press("Enter")
        try s.waitForScreen("the refusal") { $0.contains("names no execution") }
        let screen = try s.screen()
        #expect(!screen.contains("loading") && !screen.contains("not found"))
        try s.press("q")
        try s.expectExitAfterQuit()
    }

    @Test func aWorkerThatStopsHeartbeatingIsShownLostInRedAndStaysListed() throws {
        let f = try LiveFixture()
        try f.seed()
        let s = try session(f)
        defer { s.close() }
        try s.waitForScreen("the worker up") { beat(f); return $0.contains("1/1 up") }
        // Killed: no more heartbeats, and its registration expires as EXPIRE would (no clean stop).
        _ = try f.redis.send(RedisCommand("DEL", f.fleet.keys.prefix + "daemon:" + LiveFixture.worker))
        try f.fleet.publishBreakers(gateway: LiveFixture.gateway, states: [:])
        try s.waitForScreen("the header counting it lost", timeout: .seconds(10)) { $0.contains("0/1 up, 1 lost") }
        try s.press("2")
        try s.waitForScreen("the lost worker still listed with its address") { screen in
            let row = screen.split(separator: "\n").first { $0.hasPrefix(LiveFixture.worker) }
            return row?.contains("lost") == true && row?.contains("127.0.0.1:20190") == true && screen.contains("Lost: no heartbeat")
        }
        try s.press("q")
        try s.expectExitAfterQuit()
    }

    @Test func readOnlyRefusesTriggerCancelAndRetryOnTheStatusLine() throws {
        let f = try LiveFixture()
        let ids = try f.seed()
        let s = try session(f, "--read-only -f failed")
        defer { s.close() }
        try s.waitForScreen("the failed execution") { $0.contains(ids.failed) && $0.contains("read-only") }
        for key in ["t", "c", "r"] {
            try s.press("C-l")
            try s.press(key)
            try s.waitForScreen("the refusal of \(key)") { screen in
                screen.contains("read-only: batchtop was started with --read-only") && !screen.contains("y: yes")
                    && !screen.contains("choose a job type")
            }
        }
        try s.press("q")
        try s.expectExitAfterQuit()
    }

    @Test func helpScreenNamesTheKeysThatWereMissing() throws {
        let f = try LiveFixture()
        try f.seed()
        let s = try session(f)
        defer { s.close() }
        try s.waitForScreen("the console") { $0.contains("Executions") }
        try s.press("?")
        try s.waitForScreen("every key on the help screen") { screen in
            ["Ctrl-B", "Ctrl-F", "Ctrl-C", "F2", "Ctrl-S", "Ctrl-U", "Ctrl-L", "F10"].allSatisfy(screen.contains)
        }
        try s.press("Escape")
        try s.press("q")
        try s.expectExitAfterQuit()
    }

    @Test func aNewFilterGoesToTheTopAndThePositionIsShown() throws {
        let f = try LiveFixture()
        for _ in 0..<60 { _ = try f.run(job: "sleep", to: AttemptEnd(outcome: .succeeded, exitCode: 0)) }
        let ids = try f.seed()
        let s = try session(f)
        defer { s.close() }
        try s.waitForScreen("the position") { $0.contains("rows 1–") && $0.contains("of 64") }
        try s.press("End")
        try s.waitForScreen("the end of the list") { $0.contains("of 64") && $0.contains("–64 of 64") }
        try s.press("/")
        for ch in "failed" { try s.press(String(ch)) }
        try s.press("Enter")
        try s.waitForScreen("the filtered list from its top, with the failed row selected") { screen in
            screen.contains(ids.failed) && screen.contains("rows 1–1 of 1")
        }
        try s.press("q")
        try s.expectExitAfterQuit()
    }
}
