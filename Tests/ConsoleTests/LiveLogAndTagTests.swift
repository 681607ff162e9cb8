import BatchCore
import Foundation
import Store
import Testing
import TestSupport
@testable import Console

/// `StoreDataSource` for the log view and for actions on tagged executions, against a real Redis.
@Suite(.blocking) struct LiveLogAndTagTests {
    @Test func theLogReadsEveryLineTheStoreKeepsWhereTheDetailReadsItsTail() throws {
        let f = try LiveFixture()
        let lines = (1...450).map { "line \($0)" }
        let id = try f.run(job: "sleep", to: nil, lines: lines)
        let source = f.dataSource()
        #expect(try source.detail(id: id).outputTail == Array(lines.suffix(200)))
        let log = try source.log(id: id)
        #expect(log.outputTail == lines && log.row.id == id && log.row.state == .running)
    }

    @Test func anActionOnTaggedExecutionsIsAuditedOnceWithItsIDs() throws {
        let f = try LiveFixture()
        let ids = try f.seed()
        try f.dataSource(user: "tagger").auditTagged(action: "cancel-tagged", ids: [ids.running, ids.queued], failed: 1)
        let mine = try f.executions.recentEvents(count: 20, audit: true).filter { $0.type == "cancel-tagged" }
        #expect(mine.count == 1)
        #expect(mine.first?.fields["ids"] == "\(ids.running) \(ids.queued)")
        #expect(mine.first?.fields["count"] == "2" && mine.first?.fields["failed"] == "1")
        #expect(mine.first?[.user] == "tagger" && mine.first?[.source] == "batchtop")
    }
}
