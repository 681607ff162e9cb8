import BatchCore
@testable import Store
import Testing
import TestSupport

@Suite(.blocking) struct EndedWindowTests {
    @Test func endedCountsLeaveOutTerminalExecutionsThatEndedBeforeTheWindow() throws {
        let f = try StoreFixture()
        let now = try f.nowMs()
        let ok = try f.seed(state: .succeeded)
        _ = try f.seed(state: .succeeded)
        _ = try f.seed(state: .failed)
        _ = try f.seed(state: .running)
        // An old success: its last change lies before the window.
        _ = try f.send("ZADD", f.keys.byState("succeeded"), now - 120_000, ok)
        let counts = try f.store.endedCounts(since: now - 60_000)
        #expect(counts[.succeeded] == 1)
        #expect(counts[.failed] == 1)
        #expect(counts[.timedOut] == 0)
        #expect(counts[.cancelled] == 0)
        #expect(counts[.running] == nil)
    }
}
