import BatchCore
import Foundation
import Schedule
import Store
import Testing
import TestSupport

/// `batchctl schedule backfill`: one execution per past tick, sent as the scheduler sends a
/// fire, so a backfill run twice, or racing a live fire of the same tick, makes one per tick.
@Suite(.serialized, .blocking) struct BackfillTests {
    /// Executions of `job` by the fire time they carry.
    func byTick(_ f: ControlFleet, job: String) throws -> [String: [String]] {
        let page = try ExecutionStore(redis: f.redis, namespace: f.namespace).list(job: job, limit: 1000)
        var out: [String: [String]] = [:]
        for e in page.executions where e.trigger.source == "schedule" { out[e.trigger.fireTime ?? "-", default: []].append(e.id) }
        return out
    }

    @Test func aBackfillFiresEachPastTickOnceAndAgainFiresNothing() throws {
        let f = try ControlFleet.shared
        _ = try f.trigger("noop")  // the gateway knows the worker's job types
        // nightly: 02:00 Asia/Seoul, param date = the fire's date. Three ticks in range.
        let args = ["schedule", "backfill", "nightly", "--from", "2026-11-01T00:00:00+09:00", "--to", "2026-11-03T23:00:00+09:00"]
        let dry = try f.run(args + ["--dry-run"])
        #expect(dry.status == 0, "\(dry)")
        #expect(dry.out.contains("2026-11-01T02:00:00+09:00  would-fire") && dry.out.contains("3 would fire, 0 already fired"), "\(dry)")
        #expect(try byTick(f, job: "report").isEmpty, "a dry run sent something")
        let first = try f.run(args)
        #expect(first.status == 0, "\(first)\n\(f.gatewayLog.suffix(2000))")
        #expect(first.out.contains("3 fired, 0 already fired"), "\(first)")
        let ticks = try byTick(f, job: "report")
        #expect(ticks.count == 3 && ticks.values.allSatisfy { $0.count == 1 }, "\(ticks)")
        let one = try #require(ticks["2026-11-02T02:00:00+09:00"]?.first)
        let rec = try #require(try ExecutionStore(redis: f.redis, namespace: f.namespace).get(one))
        #expect(rec.params["date"] == "2026-11-02" && rec.trigger.schedule == "nightly")
        #expect(rec.idempotencyKey == ScheduleDefinition.fireKey("nightly", Int64(1_793_552_400_000)))
        let again = try f.run(args + ["--json"])
        #expect(again.status == 0, "\(again)")
        let results = try again.json([[String: String]].self)
        #expect(results.count == 3 && results.allSatisfy { $0["result"] == "already-fired" && $0["executionId"] != nil }, "\(again)")
        #expect(try byTick(f, job: "report").values.allSatisfy { $0.count == 1 })
    }

    @Test func aRangeOfMoreTicksThanAllowedIsRefusedWithoutSending() throws {
        let f = try ControlFleet.shared
        let r = try f.run(["schedule", "backfill", "hourly-noop", "--from", "2026-10-01T00:00:00Z", "--to", "2026-10-10T00:00:00Z"])
        #expect(r.status == 1 && r.err.contains("more than 100") && r.err.contains("--max"), "\(r)")
        let future = try f.run(["schedule", "backfill", "hourly-noop", "--from", "2026-10-01T00:00:00Z", "--to", "2099-01-01T00:00:00Z"])
        #expect(future.status == 2 && future.err.contains("future"), "\(future)")
        let noFrom = try f.run(["schedule", "backfill", "hourly-noop"])
        #expect(noFrom.status == 2 && noFrom.err.contains("--from"), "\(noFrom)")
    }

    /// A scheduler firing every second while backfills of the last seconds run again and again:
    /// every tick that fired holds one execution, whoever sent it.
    @Test func backfillsRacingLiveFiresMakeOneExecutionPerTick() throws {
        let f = try ControlFleet(extraConfig: """
            [schedule "every-second"]
            job = noop
            cron = * * * * * *
            """)
        defer { f.stop() }
        _ = try f.trigger("noop")
        let scheduler = try ChildProcess(executable: try builtProgram("batch-scheduler"), arguments: ["--config", f.configPath],
                                         stdout: .file(f.directory + "/scheduler.log"), stderr: .file(f.directory + "/scheduler.log"))
        defer { scheduler.terminate(grace: .seconds(3)) }
        let live = try waitUntil(timeout: .seconds(20), poll: .milliseconds(200)) { try byTick(f, job: "noop").count >= 2 }
        #expect(live, "the scheduler never fired: \((try? String(contentsOfFile: f.directory + "/scheduler.log", encoding: .utf8)) ?? "")")
        let end = ContinuousClock.now + .seconds(6)
        var rounds = 0
        while ContinuousClock.now < end {
            let from = Instant(millisecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1000) - 3_000).iso8601(in: .utc)
            let r = try f.run(["schedule", "backfill", "every-second", "--from", from])
            #expect(r.status == 0, "\(r)")
            rounds += 1
        }
        #expect(rounds >= 2)
        let ticks = try byTick(f, job: "noop")
        let twice = ticks.filter { $0.value.count != 1 }
        #expect(ticks.count >= 6 && twice.isEmpty, "ticks fired twice: \(twice)")
    }
}
