@testable import Console
import Foundation
import Testing

/// A scheduled execution's row counts down to its due time, in the width of the STATE column.
struct ScheduledRowTests {
    @Test func aScheduledRowShowsTheTimeLeftAndOthersTheirState() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let row = ExecutionRow(id: "01M99R61TB5C57RC9CNNPRA1XA", job: "report", state: .scheduled, created: now,
                               due: now.addingTimeInterval(252))
        #expect(row.drawnState(at: now) == "scheduled 4m12s")
        #expect(row.drawnState(at: now.addingTimeInterval(252)) == "scheduled now")
        #expect(row.drawnState(at: now.addingTimeInterval(-86_399)).count <= 17)
        #expect(ExecutionRow(id: "x", job: "j", state: .failed, reason: "exit_code", created: now).drawnState(at: now) == "failed:exit_code")
        let table = Table.executions(ConsoleSnapshot(takenAt: now, executions: [row]), .gmt)
        #expect(table.rows.first?.searchText.contains("scheduled") == true)
    }
}
