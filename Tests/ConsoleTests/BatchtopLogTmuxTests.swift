import Foundation
import Store
import Testing
import TestSupport

/// The log view in a real terminal: a running execution's output arriving while it is
/// followed, then searched.
@Suite(.blocking) struct BatchtopLogTmuxTests {
    typealias Session = BatchtopTmuxTests.Session

    @Test func theLogViewFollowsARunningExecutionsLinesAndFindsAWord() throws {
        let f = try LiveFixture()
        let ids = try f.seed()
        let s = try Session(arguments: "--redis '\(f.server.url)' --namespace '\(f.namespace)' -d 0.3 -f running")
        defer { s.close() }
        try s.waitForScreen("the running execution") { $0.contains(ids.running) }
        try s.press("l")
        try s.waitForScreen("its log, followed") { screen in
            screen.contains("Log \(ids.running)") && screen.contains("follow") && screen.contains("still working")
        }
        // The job prints more lines than the screen holds, as a worker reports them.
        _ = try f.executions.report(id: ids.running, attempt: 1, lines: (1...30).map { "tick \($0)" }
            + ["a needle in the output"] + (31...60).map { "tick \($0)" })
        try s.waitForScreen("the newest lines at the bottom") { screen in
            screen.contains("tick 60") && !screen.contains("still working") && screen.contains("line 63 of 63")
        }
        _ = try f.executions.report(id: ids.running, attempt: 1, lines: ["tick 61"])
        try s.waitForScreen("a line arriving while followed") { $0.contains("tick 61") && $0.contains("line 64 of 64") }
        try s.press("/")
        try s.press("-l", "needle")
        try s.press("Enter")
        // The line found is at the top, or as near as the end of the output lets it go.
        try s.waitForScreen("the line with the word, no longer following") { screen in
            let title = screen.prefix { $0 != "\n" }
            return screen.contains("a needle in the output") && title.contains("/needle 1/1") && !title.contains("follow")
        }
        try s.press("Escape")
        try s.waitForScreen("the list again") { $0.contains("1 Executions") && !$0.contains("Log \(ids.running)") }
        try s.press("q")
        try s.expectExitAfterQuit()
    }
}
