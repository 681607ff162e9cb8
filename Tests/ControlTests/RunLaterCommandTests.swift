import BatchCore
import Foundation
import Schedule
import Store
import Testing
import TestSupport

/// `batchctl trigger --at/--in`: the execution is created scheduled, shown with its due time,
/// and cancellable before it runs; a time it cannot read is a usage error that sends nothing.
@Suite(.serialized, .blocking) struct RunLaterCommandTests {
    @Test func triggerInCreatesAScheduledExecutionThatListAndStatusShow() throws {
        let f = try ControlFleet.shared
        let (id, r) = try f.trigger("noop", [], wait: false, extra: ["--in", "10m"])
        #expect(r.status == 0 && id.count == 26, "\(r)")
        let status = try f.run(["status", id])
        #expect(status.out.contains("scheduled") && status.out.contains("due "), "\(status)")
        let list = try f.run(["list", "--state", "scheduled", "--job", "noop"])
        let row = list.out.split(separator: "\n").first { $0.hasPrefix(id) }
        #expect(row?.contains("in 9m") == true || row?.contains("in 10m") == true, "\(list)")
        let stats = try f.run(["stats", "--json"])
        #expect((stats.jsonObject as? [String: Any])?["scheduled"] as? Int ?? 0 >= 1, "\(stats)")
        #expect(try f.run(["cancel", id]).status == 0)
        #expect(try f.run(["status", id, "--json"]).out.contains(#""state":"cancelled""#))
    }

    @Test func triggerAtALocalTimeIsMadeAbsoluteOnTheMachinesZone() throws {
        let f = try ControlFleet.shared
        // batchctl runs with TZ=UTC here: a local time is read as UTC.
        let (id, r) = try f.trigger("noop", [], wait: false, extra: ["--at", "2099-01-01T00:00", "--json"])
        _ = id
        #expect(r.status == 1 && r.err.contains("gateway.max-delay"), "a time beyond max-delay is refused by the gateway: \(r)")
        let soon = Instant(millisecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1000) + 3_600_000).iso8601(in: .utc)
        let local = String(soon.prefix(19))  // without its offset
        let (laterID, later) = try f.trigger("noop", [], wait: false, extra: ["--at", local])
        #expect(later.status == 0, "\(later)")
        let rec = try #require(try ExecutionStore(redis: f.redis, namespace: f.namespace).get(laterID))
        #expect(rec.state == .scheduled)
        let due = try #require(rec.due)
        #expect(abs(due - (RunLater.instant(soon) ?? 0)) < 1_000, "due \(due) for \(soon)")
        _ = try f.run(["cancel", laterID])
    }

    @Test func aTimeThatCannotBeReadIsAUsageErrorThatSendsNothing() throws {
        let f = try ControlFleet.shared
        for args in [["--in", "soon"], ["--at", "tomorrow"], ["--at", "2030-01-01T00:00Z", "--in", "5m"]] {
            let r = try f.run(["trigger", "noop"] + args)
            #expect(r.status == 2, "\(args): \(r)")
            #expect(r.err.contains("--at") || r.err.contains("--in"), "\(args): \(r)")
        }
    }
}
