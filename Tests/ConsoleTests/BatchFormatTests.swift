@testable import Console
import Foundation
import Testing

/// Batch mode's machine forms: `--tsv` (the same fields as the text form, tab-separated) and
/// `--json` (one object a snapshot, on one line).
struct BatchFormatTests {
    @Test func tsvHasTheTextFormsFieldsSeparatedByTabs() {
        let snap = Fixtures.snapshot(executions: 5)
        let text = BatchOutput.lines(snap, width: 120, timeZone: Fixtures.utc)
        let tsv = BatchOutput.render(snap, format: .tsv, width: 120, timeZone: Fixtures.utc)
        #expect(tsv[0].hasPrefix("# batchtop ") && tsv[1].hasPrefix("# "))
        let header = tsv[2].split(separator: "\t").map(String.init)
        #expect(header.first == "ID" && header.contains("STATE") && header.contains("REASON"))
        // Row for row, the fields the text form aligns with spaces.
        for (t, v) in zip(text.dropFirst(3), tsv.dropFirst(3)) {
            #expect(t.split(separator: " ", omittingEmptySubsequences: true).map(String.init) == v.split(separator: "\t").map(String.init))
        }
        #expect(tsv.count == text.count)
    }

    @Test func jsonIsOneObjectALineWithRowsByColumn() throws {
        let snap = Fixtures.snapshot(executions: 5)
        let out = BatchOutput.render(snap, format: .json, width: 120, timeZone: Fixtures.utc)
        #expect(out.count == 1 && !out[0].contains("\n"))
        let o = try #require(try JSONSerialization.jsonObject(with: Data(out[0].utf8)) as? [String: Any])
        #expect(o["view"] as? String == "executions" && o["queued"] as? Int == 12 && o["workersUp"] as? Int == 2)
        let rows = try #require(o["rows"] as? [[String: String]])
        #expect(rows.count == 5 && rows.allSatisfy { $0["id"] != nil && $0["state"] != nil })
        #expect(o["problems"] is [String])
    }
}
