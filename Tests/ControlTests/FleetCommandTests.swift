import BatchCore
import Foundation
import Store
import Testing
import TestSupport

/// Every command against a real batch-gateway (and a worker that speaks the worker's
/// protocol), through the built binary: text, `--json` and exit codes.
@Suite(.serialized, .blocking) struct FleetCommandTests {
    @Test func triggerWaitPrintsIdStatesOutputAndExits0() throws {
        let f = try ControlFleet.shared
        let (id, r) = try f.trigger("report", ["date=2026-11-24"], wait: true)
        #expect(r.status == 0, "\(r)\n\(f.gatewayLog)")
        let lines = r.out.split(separator: "\n").map(String.init)
        #expect(lines.first == id)
        #expect(id.count == 26)
        // The states, in order, each with a time.
        let states = lines.compactMap { l in ["queued", "dispatched", "running", "succeeded"].first { l.contains("  \($0)") && l.first?.isNumber == true } }
        #expect(states == ["queued", "dispatched", "running", "succeeded"], "\(r)")
        #expect(r.out.contains("hello from report"))
        #expect(r.out.contains("params [(key: \"date\", value: \"2026-11-24\")]"))
        #expect(lines.last?.hasPrefix("succeeded (exit 0) in ") == true, "\(r)")
    }

    @Test func triggerWaitOfAFailingJobExits1() throws {
        let f = try ControlFleet.shared
        let (id, r) = try f.trigger("fail", ["code=7"], wait: true)
        #expect(r.status == 1, "\(r)")
        #expect(r.out.contains("about to fail"))
        #expect(r.err == "batchctl: execution \(id) failed (exit_code, exit 7); see 'batchctl status \(id)'\n")
        let j = try f.run(["trigger", "fail", "--wait", "--json"])
        #expect(j.status == 1)
        let o = j.jsonObject as? [String: Any]
        #expect(o?["state"] as? String == "failed")
        #expect((o?["execution"] as? [String: Any])?["exitCode"] as? Int == 3)
        #expect(o?["output"] as? [String] == ["about to fail"])
    }

    @Test func triggerRefusedByTheGatewayExits1WithItsDetail() throws {
        let f = try ControlFleet.shared
        _ = try f.trigger("noop")
        let bad = try f.run(["trigger", "report", "--param", "date=yesterday"])
        #expect(bad.status == 1, "\(bad)")
        #expect(bad.err.contains("date"), "\(bad)")
        let unknown = try f.run(["trigger", "no-such-job"])
        #expect(unknown.status == 1, "\(unknown)")
        #expect(unknown.err.contains("unknown job type \"no-such-job\""), "\(unknown)")
    }

    @Test func triggerJsonAndIdempotencyKey() throws {
        let f = try ControlFleet.shared
        _ = try f.trigger("noop")
        let a = try f.run(["trigger", "noop", "--idempotency-key", "k-\(UInt32.random(in: 0...UInt32.max))", "--json"])
        #expect(a.status == 0, "\(a)")
        let first = a.jsonObject as? [String: Any]
        #expect(first?["duplicate"] as? Bool == false)
        let key = "k2-\(UInt32.random(in: 0...UInt32.max))"
        let x = try f.run(["trigger", "noop", "--idempotency-key", key])
        let y = try f.run(["trigger", "noop", "--idempotency-key", key])
        #expect(x.status == 0 && y.status == 0)
        #expect(y.out.hasPrefix(x.out.trimmingCharacters(in: .newlines)))
        #expect(y.out.contains("already triggered"))
    }

    @Test func triggerManyFromAParamsFile() throws {
        let f = try ControlFleet.shared
        _ = try f.trigger("noop")
        let file = f.directory + "/dates-\(UInt32.random(in: 0...UInt32.max)).ndjson"
        try """
            {"date":"2026-11-01"}
            # the second month

            {"date":"2026-11-02"}
            {"date":"not-a-date"}

            """.write(toFile: file, atomically: true, encoding: .utf8)
        let key = "days-\(UInt32.random(in: 0...UInt32.max))"
        let a = try f.run(["trigger", "report", "--params-file", file, "--idempotency-key", key])
        #expect(a.status == 1, "one line is refused: \(a)")
        let lines = a.out.split(separator: "\n").map(String.init)
        #expect(lines.count == 4, "\(a)")
        #expect(lines.first?.hasPrefix("1\t") == true && lines.dropFirst().first?.hasPrefix("4\t") == true, "\(a)")
        #expect(lines.dropFirst(2).first?.hasPrefix("5\trefused (400): ") == true && lines[2].contains("date"), "\(a)")
        #expect(lines.last == "2 queued, 1 refused")
        #expect(a.err.contains("1 of 3 lines of \(file) were refused"), "\(a)")
        // The same file and key again: nothing is queued twice.
        let b = try f.run(["trigger", "report", "--params-file", file, "--idempotency-key", key, "--json"])
        let items = try #require(b.jsonObject as? [[String: Any]], "\(b)")
        #expect(items.map { $0["line"] as? Int } == [1, 4, 5])
        let results = items.compactMap { $0["result"] as? [String: Any] }
        #expect(results.prefix(2).allSatisfy { $0["duplicate"] as? Bool == true }, "\(b)")
        #expect(results.prefix(2).map { $0["executionId"] as? String } == lines.prefix(2).map { String($0.split(separator: "\t")[1]) })
        // A line that is not a JSON object stops everything before a request is sent.
        try "{\"date\":\"2026-11-03\"}\n{\"date\":\n".write(toFile: file, atomically: true, encoding: .utf8)
        let c = try f.run(["trigger", "report", "--params-file", file])
        #expect(c.status == 1 && c.err.contains("\(file):2: ") && c.out.isEmpty, "\(c)")
        let d = try f.run(["trigger", "report", "--params-file", file, "--wait"])
        #expect(d.status == 2 && d.err.contains("--params-file"), "\(d)")
    }

    @Test func statusTextJsonAndUnknownId() throws {
        let f = try ControlFleet.shared
        let (id, _) = try f.trigger("report", ["date=2026-11-24"], wait: true)
        let t = try f.run(["status", id])
        #expect(t.status == 0, "\(t)")
        #expect(t.out.contains("id           \(id)"))
        #expect(t.out.contains("state        succeeded (exit 0) in "))
        #expect(t.out.contains("params       date=2026-11-24"))
        #expect(t.out.contains("by tester"))
        #expect(t.out.contains(" ago)") || t.out.contains("(now)"))
        #expect(t.out.contains("hello from report"))
        #expect(!t.out.contains("\u{1B}["), "no colour when stdout is not a terminal")
        let j = try f.run(["status", id, "--json"])
        let o = j.jsonObject as? [String: Any]
        let e = o?["execution"] as? [String: Any]
        #expect(e?["id"] as? String == id)
        #expect(e?["state"] as? String == "succeeded")
        #expect(e?["job"] as? String == "report")
        #expect((e?["params"] as? [String: String]) == ["date": "2026-11-24"])
        #expect((e?["trigger"] as? [String: Any])?["source"] as? String == "batchctl")
        #expect((o?["output"] as? [String])?.first == "hello from report")

        let unknown = try f.run(["status", "01KMX6ZQ8Z0000000000000000"])
        #expect(unknown.status == 1)
        #expect(unknown.err == "batchctl: no execution 01KMX6ZQ8Z0000000000000000 (unknown, or trimmed by retention); see 'batchctl list'\n")
        let malformed = try f.run(["status", "nope"])
        #expect(malformed.status == 1)
        #expect(malformed.err.contains("is not an execution id"))
    }

    @Test func listFiltersFitsEightyColumnsAndJson() throws {
        let f = try ControlFleet.shared
        let (id, _) = try f.trigger("fail", [], wait: true)
        let t = try f.run(["list", "--state", "failed", "--limit", "5"])
        #expect(t.status == 0, "\(t)")
        let lines = t.out.split(separator: "\n")
        #expect(lines.first?.hasPrefix("ID") == true)
        #expect(lines.contains { $0.hasPrefix(id) && $0.contains("failed") })
        #expect(lines.allSatisfy { $0.count <= 80 })
        let j = try f.run(["list", "--job", "fail", "--json"])
        let rows = (j.jsonObject as? [String: Any])?["executions"] as? [[String: Any]]
        #expect(rows?.contains { $0["id"] as? String == id } == true)
        #expect(rows?.allSatisfy { $0["job"] as? String == "fail" } == true)
        let none = try f.run(["list", "--job", "never-ran"])
        #expect(none.status == 0)
        #expect(none.out == "no executions of job never-ran\n")
    }

    @Test func logsAndLogsFollowUntilTheEnd() throws {
        let f = try ControlFleet.shared
        let (id, _) = try f.trigger("noop", [], wait: true)
        let l = try f.run(["logs", id])
        #expect(l.status == 0)
        #expect(l.out == "hello from noop\nparams []\n")
        let j = try f.run(["logs", id, "--json", "-n", "1"])
        let o = j.jsonObject as? [String: Any]
        #expect(o?["lines"] as? [String] == ["params []"])
        #expect(o?["state"] as? String == "succeeded")

        // A slow job: follow prints every line once, in order, and ends with the execution.
        let (slow, _) = try f.trigger("slow", ["lines=8"])
        let follow = try f.run(["logs", slow, "--follow"])
        #expect(follow.status == 0, "\(follow)")
        #expect(follow.out == (1...8).map { "line \($0)\n" }.joined(), "\(follow)")
        let (slow2, _) = try f.trigger("slow", ["lines=3"])
        let fj = try f.run(["logs", slow2, "--follow", "--json"])
        let docs = fj.out.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String] }
        #expect(docs.map { $0["line"] ?? "" } == ["line 1", "line 2", "line 3"], "\(fj)")
        #expect(docs.allSatisfy { $0["executionId"] == slow2 })
        #expect(try f.run(["logs", "01KMX6ZQ8Z0000000000000000"]).status == 1)
    }

    @Test func cancelAndRetry() throws {
        let f = try ControlFleet.shared
        let (id, _) = try f.trigger("noop", [], wait: true)
        let c = try f.run(["cancel", id])
        #expect(c.status == 0, "\(c)")
        #expect(c.out == "\(id)  already succeeded: nothing to cancel\n")
        let r = try f.run(["retry", id, "--json"])
        #expect(r.status == 0, "\(r)")
        let rows = r.jsonObject as? [[String: Any]]
        let new = rows?.first?["newExecutionId"] as? String
        #expect(rows?.first?["executionId"] as? String == id)
        #expect(new != nil && new != id)
        let t = try f.run(["retry", id])
        #expect(t.out.hasPrefix("\(id)  retried as "))
        // One unknown id among good ones: the good one is done, the exit is 1.
        let mixed = try f.run(["cancel", id, "01KMX6ZQ8Z0000000000000000"])
        #expect(mixed.status == 1, "\(mixed)")
        #expect(mixed.out.hasPrefix(id))
        #expect(mixed.err.contains("01KMX6ZQ8Z0000000000000000"))
        let running = try f.run(["retry", "01KMX6ZQ8Z0000000000000000"])
        #expect(running.status == 1)
    }

    @Test func statsCountsAndThroughput() throws {
        let f = try ControlFleet.shared
        _ = try f.trigger("noop", [], wait: true)
        let j = try f.run(["stats", "--json"])
        #expect(j.status == 0, "\(j)")
        let o = j.jsonObject as? [String: Any]
        #expect(((o?["counts"] as? [String: Int])?["succeeded"] ?? 0) >= 1)
        #expect(((o?["lastMinute"] as? [String: Int])?["succeeded"] ?? 0) >= 1)
        #expect((o?["throughputPerMinute"] as? Int ?? 0) >= 1)
        #expect(o?["queued"] is Int && o?["running"] is Int && o?["delayed"] is Int)
        let t = try f.run(["stats"])
        #expect(t.out.contains("throughput  "))
        #expect(t.out.split(separator: "\n").allSatisfy { $0.count <= 80 })
        // The retention the configuration sets: defaults here, one age for every outcome.
        #expect(t.out.contains("retention   100000 kept, 7d each"), "\(t)")
        let retention = o?["retention"] as? [String: Any]
        #expect(retention?["count"] as? Int == 100_000 && (retention?["ageSeconds"] as? [String: Int])?["failed"] == 604_800)
    }

    @Test func workersAndBreakersWithOverrides() throws {
        let f = try ControlFleet.shared
        _ = try f.trigger("noop", [], wait: true)
        let w = try f.run(["workers", "--json"])
        let rows = w.jsonObject as? [[String: Any]]
        let me = rows?.first { $0["id"] as? String == f.worker.id }
        #expect(me?["address"] as? String == f.worker.address)
        #expect((me?["jobs"] as? [String]) == ["fail", "noop", "report", "slow"])
        #expect(me?["slots"] as? Int == 4)
        let wt = try f.run(["workers"])
        #expect(wt.out.contains(f.worker.id))
        #expect(wt.out.contains(" ago") || wt.out.contains("now"))
        #expect(wt.out.split(separator: "\n").allSatisfy { $0.count <= 80 })

        // The gateway publishes a breaker for each worker it knows.
        var published: [String: Any]?
        #expect(try waitUntil(timeout: .seconds(10)) {
            published = try f.run(["breakers", "--json"]).jsonObject as? [String: Any]
            return ((published?["breakers"] as? [[String: Any]]) ?? []).contains { $0["worker"] as? String == f.worker.id }
        }, "\(published ?? [:])")
        let open = try f.run(["breakers", "force-open", f.worker.id])
        #expect(open.status == 0, "\(open)")
        #expect(open.out.contains("forced open in every gateway"))
        #expect(try waitUntil(timeout: .seconds(10)) {
            let o = try f.run(["breakers", "--json"]).jsonObject as? [String: Any]
            let b = (o?["breakers"] as? [[String: Any]])?.first { $0["worker"] as? String == f.worker.id }
            return (o?["overrides"] as? [String: String])?[f.worker.id] == "forced_open" && b?["state"] as? String == "forced_open"
        })
        let text = try f.run(["breakers"])
        #expect(text.out.contains("forced_open"))
        let close = try f.run(["breakers", "force-close", f.worker.id])
        #expect(close.status == 0)
        #expect(try waitUntil(timeout: .seconds(10)) {
            let o = try f.run(["breakers", "--json"]).jsonObject as? [String: Any]
            let b = (o?["breakers"] as? [[String: Any]])?.first { $0["worker"] as? String == f.worker.id }
            return ((o?["overrides"] as? [String: String])?[f.worker.id] ?? "").hasPrefix("closed@") && b?["state"] as? String == "closed"
        })
        #expect(try f.run(["breakers", "reset", f.worker.id]).status == 0)
        let unknown = try f.run(["breakers", "force-open", "worker-that-never-was"])
        #expect(unknown.status == 1)
        #expect(unknown.err.contains("no worker worker-that-never-was"))
    }

    @Test func schedulesPauseResumeAndTrigger() throws {
        let f = try ControlFleet.shared
        _ = try f.trigger("noop")
        let j = try f.run(["schedules", "--json"])
        #expect(j.status == 0, "\(j)")
        var rows = j.jsonObject as? [[String: Any]]
        #expect(rows?.map { $0["name"] as? String } == ["hourly-noop", "nightly"])
        #expect(rows?.last?["trigger"] as? String == "cron 0 0 2 * * *")
        #expect(rows?.last?["zone"] as? String == "Asia/Seoul")
        #expect(rows?.last?["published"] as? Bool == false)

        #expect(try f.run(["schedule", "pause", "nightly"]).out == "schedule nightly paused for every scheduler\n")
        rows = try f.run(["schedules", "--json"]).jsonObject as? [[String: Any]]
        #expect(rows?.last?["paused"] as? Bool == true)
        #expect(rows?.last?["pausedByOperator"] as? Bool == true)
        #expect(try f.run(["schedules"]).out.contains("operator"))
        #expect(try f.run(["schedule", "resume", "nightly"]).status == 0)
        rows = try f.run(["schedules", "--json"]).jsonObject as? [[String: Any]]
        #expect(rows?.last?["paused"] as? Bool == false)

        // What a leading scheduler publishes shows through, times relative to Redis' clock.
        let store = ScheduleStore(redis: f.redis, namespace: f.namespace)
        let now = try FleetRegistry(redis: f.redis, namespace: f.namespace).redisTime()
        let status: [String: Any] = ["name": "hourly-noop", "job": "noop", "trigger": "cron @hourly", "zone": "UTC",
                                     "nextFire": "2026-11-25T14:00:00Z", "nextFireMs": now + 600_000,
                                     "lastFire": "2026-11-25T13:00:00Z", "lastFireMs": now - 120_000,
                                     "lastExecution": "01KMX6ZQ8Z0000000000000000", "lastOutcome": "succeeded",
                                     "paused": false, "pending": 0, "misfires": 0, "anchorMs": 0, "fingerprint": "x",
                                     "scheduler": "scheduler-test", "updatedMs": now]
        let text = String(decoding: try JSONSerialization.data(withJSONObject: status), as: UTF8.self)
        try store.publish(statuses: ["hourly-noop": text])
        rows = try f.run(["schedules", "--json"]).jsonObject as? [[String: Any]]
        #expect(rows?.first?["published"] as? Bool == true)
        #expect(rows?.first?["nextFireMs"] as? Int64 == now + 600_000)
        #expect(rows?.first?["lastOutcome"] as? String == "succeeded")
        let table = try f.run(["schedules"])
        #expect(table.out.contains("in 9m5") || table.out.contains("in 10m00s"), "\(table)")
        #expect(table.out.contains("2m00s ago") || table.out.contains("2m01s ago"), "\(table)")
        #expect(table.out.split(separator: "\n").allSatisfy { $0.count <= 80 })

        let fired = try f.run(["schedule", "trigger", "nightly", "--json"])
        #expect(fired.status == 0, "\(fired)")
        let id = (fired.jsonObject as? [String: Any])?["executionId"] as? String ?? ""
        let st = try f.run(["status", id, "--json"]).jsonObject as? [String: Any]
        let e = st?["execution"] as? [String: Any]
        #expect((e?["trigger"] as? [String: Any])?["schedule"] as? String == "nightly")
        // {fire-date} became a date in the schedule's zone.
        #expect(((e?["params"] as? [String: String])?["date"] ?? "").count == 10)

        let unknown = try f.run(["schedule", "pause", "nigthly"])
        #expect(unknown.status == 1)
        #expect(unknown.err.contains("did you mean nightly?"))
    }

    @Test func eventsAndEventsFollow() throws {
        let f = try ControlFleet.shared
        let (id, _) = try f.trigger("noop", [], wait: true)
        let j = try f.run(["events", "--json", "--limit", "200"])
        let events = j.jsonObject as? [[String: Any]]
        #expect(events?.contains { $0["id"] as? String == id && $0["type"] as? String == "created" } == true)
        #expect(events?.allSatisfy { $0["streamId"] is String && $0["time"] is Int } == true)
        let t = try f.run(["events", "--limit", "200"])
        #expect(t.out.contains("created     \(id)  queued"))

        // --follow prints one JSON document per line as events happen.
        let dir = try makeTemporaryDirectory("batchctl-follow")
        defer { removeTree(dir) }
        let follower = try ChildProcess(executable: try builtProgram("batchctl"),
                                        arguments: ["--config", f.configPath, "events", "--follow", "--json", "--limit", "0"],
                                        environment: ["USER": "tester", "TZ": "UTC"], stdout: .file(dir + "/out"), stderr: .file(dir + "/err"))
        defer { follower.terminate(grace: .seconds(2)) }
        // The follower reads from the moment it is connected, which a loaded machine can delay by
        // seconds: an execution triggered before that is never shown. Trigger again every few
        // seconds until one of them is seen.
        let clock = ContinuousClock()
        var triggered: [String] = []
        var lastTrigger = clock.now - .seconds(60)
        let seen = try waitUntil(timeout: .seconds(90), poll: .milliseconds(100)) {
            if clock.now - lastTrigger >= .seconds(3) {
                triggered.append(try f.trigger("noop").0)
                lastTrigger = clock.now
            }
            let out = (try? String(contentsOfFile: dir + "/out", encoding: .utf8)) ?? ""
            return triggered.contains { out.contains(#""id":"\#($0)""#) } && out.contains(#""state":"succeeded""#)
        }
        let out = (try? String(contentsOfFile: dir + "/out", encoding: .utf8)) ?? ""
        #expect(seen, "\(out)")
        #expect(out.split(separator: "\n").allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) is [String: Any] })
        #expect(follower.isRunning)
    }

    @Test func completionScriptAndWordsFromRedis() throws {
        let f = try ControlFleet.shared
        _ = try f.trigger("noop")
        let s = try f.run(["completion", "bash"])
        #expect(s.status == 0)
        #expect(s.out.contains("complete -F _batchctl batchctl"))
        for word in ["trigger", "force-open", "--idempotency-key", "completion words"] { #expect(s.out.contains(word)) }
        let dir = try makeTemporaryDirectory("batchctl-completion")
        defer { removeTree(dir) }
        try s.out.write(toFile: dir + "/c.bash", atomically: true, encoding: .utf8)
        let syntax = try ChildProcess(executable: "bash", arguments: ["-n", dir + "/c.bash"])
        #expect(syntax.wait(timeout: .seconds(10)) == .exited(0), "\(syntax.standardError)")

        #expect(try f.run(["completion", "words", "jobs"]).out == "fail\nnoop\nreport\nslow\n")
        #expect(try f.run(["completion", "words", "schedules"]).out == "hourly-noop\nnightly\n")
        #expect(try f.run(["completion", "words", "workers"]).out.contains(f.worker.id))
    }
}

/// What clients wrote reaches an operator's terminal without its escape sequences.
@Suite(.serialized, .blocking) struct TerminalSafetyTests {
    @Test func statusPrintsParametersUsersAndKeysWithoutEscapeSequences() throws {
        let f = try ControlFleet.shared
        // Written to the store directly: the gateway refuses such parameters at the door.
        let store = ExecutionStore(redis: f.redis, namespace: f.namespace)
        let evil = "x\u{1B}]52;c;cm0gLXJmIH4=\u{07}\u{1B}[2J\u{1B}[31mred\u{9B}0m\r"
        let new = NewExecution(job: "noop", params: ["file": evil], trigger: Trigger(source: "api", user: "eve\u{1B}[8m"),
                               idempotencyKey: "k\u{1B}]0;title\u{07}")
        let created = try store.create(new, queueLimit: 1_000)
        let r = try f.run(["status", created.id, "--lines", "0"])
        #expect(r.status == 0, "\(r)")
        #expect(!r.out.contains("\u{1B}") && !r.out.contains("\u{9B}") && !r.out.contains("\u{07}"), "\(r.out.debugDescription)")
        #expect(r.out.contains("file=xred"), "\(r.out)")
        #expect(r.out.contains("by eve"), "\(r.out)")
    }
}
