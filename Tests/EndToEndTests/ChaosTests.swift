import BatchCore
import FleetTestSupport
import Foundation
import Glibc
import Redis
import Store
import Synchronization
import Testing
import TestSupport

/// The chaos suite: real processes, one fault at a time, the promises checked from Redis and
/// from the attempt log. Each scenario prints one `chaos ...:` line (see `ChaosVerdict`).
/// `BATCH_CHAOS_SCALE` lengthens it (`bench/chaos/run.sh` runs scale 5).
@Suite(.serialized, .blocking) struct ChaosTests {
    // MARK: the fleet's own processes

    @Test func workerKilledWithManyJobsRunning() throws {
        let jobs = 150 * Chaos.scale
        let c = try Cluster(gateways: 2, workers: 3, slots: jobs)
        defer { c.stop() }
        let ids = try submit(jobs, #"{"jobType":"track","params":{"seconds":"\#(3 + Chaos.scale)"}}"#, to: c)
        try waitStarted(jobs, c)
        let victim = busiest(c.workers)
        let children = childPIDs(of: victim.process.pid)
        let killedAt = wallMicros()
        victim.process.signal(SIGKILL)
        _ = waitUntil(timeout: .seconds(5), poll: .milliseconds(10)) { children.allSatisfy { !isAlive($0) } }
        let goneAt = wallMicros()
        let recovery = waitRetried(children, c, since: killedAt)
        var v = try verdict("worker kill -9", ids, c, unendedUntil: goneAt, timeout: .seconds(120 + 30 * Chaos.scale))
        v.recoveryMillis = recovery
        v.note = "\(children.count) runs cut; children alive 5 s after: \(children.filter(isAlive).count)"
        report(v, c, expect: [.succeeded: jobs])
        #expect(children.allSatisfy { !isAlive($0) })
    }

    @Test func workerStoppedWithManyJobsRunning() throws {
        let jobs = 100 * Chaos.scale
        let c = try Cluster(gateways: 1, workers: 2, slots: jobs)
        defer { c.stop() }
        let (cut, stop) = try runsCutByAStoppedWorker("worker SIGSTOP", jobs, c)
        var v = cut
        v.note = "\(stop.children.count) runs cut; slowest child death \(stop.slowestDeathMillis) ms after the stop (lease \(Cluster.leaseSeconds) s)"
        report(v, c, expect: [.succeeded: jobs])
        #expect(stop.alive.isEmpty, "children alive: \(stop.alive)")
    }

    @Test func gatewayKilledMidDispatch() throws {
        let jobs = 400 * Chaos.scale
        let c = try Cluster(gateways: 2, workers: 2, slots: 32)
        defer { c.stop() }
        let submitter = Submitter(c, body: #"{"jobType":"track","params":{"seconds":"0.2"}}"#, total: jobs, threads: 2)
        // Killed while both gateways are taking requests and dispatching.
        #expect(waitUntil(timeout: .seconds(60), poll: .milliseconds(5)) { submitter.accepted.count >= jobs / 3 })
        let killedAt = ContinuousClock.now
        c.gateways[0].process.signal(SIGKILL)
        _ = c.gateways[0].process.wait(timeout: .seconds(5))
        submitter.finish()
        let ids = submitter.accepted
        var v = try verdict("gateway kill -9", ids, c, unendedUntil: wallMicros(), timeout: .seconds(120 + 30 * Chaos.scale))
        v.recoveryMillis = (ContinuousClock.now - killedAt).milliseconds
        v.note = "recovery: until all accepted were terminal; refused while down: \(submitter.refused)"
        report(v, c, expect: [.succeeded: ids.count])
        // Everything ran to its end: no run was cut.
        #expect(c.attemptLog.runs.allSatisfy { $0.end != nil })
    }

    /// Beside a real worker, a worker that answers every dispatch with 500 and one that takes
    /// the call and answers only after the dispatch timeout: every execution ends once, on the
    /// real worker, and the breakers of both stand-ins open, so few calls reach them.
    @Test func workersThatAnswer500OrHang() throws {
        let jobs = 200 * Chaos.scale
        let c = try Cluster(gateways: 1, workers: 1, slots: jobs)
        defer { c.stop() }
        // The stand-ins serve the real worker's job types, as it registered them.
        let registered = try c.fleet.jobs(of: ["w1"])["w1"] ?? [:]
        let types = try registered.values.map { try JSONDecoder().decode(JobType.self, from: Data($0.utf8)) }
        let failing = try FakeWorker(id: "answers-500", redis: c.redis, namespace: c.namespace, mode: .fail500, jobs: types)
        defer { failing.stop() }
        let hanging = try FakeWorker(id: "hangs", redis: c.redis, namespace: c.namespace, mode: .hang, hangFor: .seconds(5), jobs: types)
        defer { hanging.stop() }
        let seen = waitUntil(timeout: .seconds(30), poll: .milliseconds(100)) {
            (try? c.client.request("GET", c.gateways[0].url + "/metrics").text)?
                .split(separator: "\n").contains("batch_workers_live 3") == true
        }
        #expect(seen, "the gateway never listed the two stand-ins beside the worker\n\(c.logs)")
        let started = ContinuousClock.now
        let ids = try submit(jobs, #"{"jobType":"track","params":{"seconds":"0.2"}}"#, to: c)
        var v = try verdict("workers answering 500 and hanging", ids, c, unendedUntil: wallMicros(),
                            timeout: .seconds(120 + 30 * Chaos.scale))
        v.recoveryMillis = (ContinuousClock.now - started).milliseconds
        v.note = "recovery: first trigger to all terminal; dispatch calls to the 500 worker \(failing.callCount), to the hanging one \(hanging.callCount)"
        report(v, c, expect: [.succeeded: jobs])
        // Once open, a breaker lets only its half-open probes through.
        #expect(failing.callCount < 30 && hanging.callCount < 30, "\(v.line)")
        #expect(failing.receivedCount + hanging.receivedCount > 0, "neither stand-in was offered anything: the scenario tested nothing")
    }

    /// Gateways whose wall clocks are 20 s off (libfaketime): one 20 s ahead, which would recover
    /// leases 20 s early were they judged by its clock, and one 20 s behind; then a worker is
    /// stopped with its jobs running. Leases live on Redis' clock, so the stopped worker's runs are
    /// taken over only after its lease reaper killed them: no attempt overlaps, every execution ends once.
    @Test func gatewaysWithClocksTwentySecondsOff() throws {
        guard access(Cluster.faketime, R_OK) == 0 else {
            throw TestSupportError("\(Cluster.faketime) is missing: run scripts/deps.sh (it installs faketime)")
        }
        let jobs = 100 * Chaos.scale
        let c = try Cluster(gateways: 3, workers: 2, slots: jobs, clockOffsets: ["g2": "+20s", "g3": "-20s"])
        defer { c.stop() }
        // The offsets are real: g2 and g3, started right after g1, stamped their first log lines 20 s off.
        let offsets = c.gateways.dropFirst().map { g in
            both(firstStamp(g.log), firstStamp(c.gateways[0].log)).map { $0.timeIntervalSince($1) }
        }
        #expect(offsets.count == 2 && abs((offsets[0] ?? 0) - 20) < 5 && abs((offsets[1] ?? 0) + 20) < 5,
                "the gateways' clocks are not 20 s off: \(offsets)")
        let (cut, stop) = try runsCutByAStoppedWorker("gateways 20 s ahead and behind", jobs, c)
        var v = cut
        v.note = "g2 +20 s, g3 -20 s; a worker stopped with \(stop.children.count) running, its children dead within "
            + "\(stop.slowestDeathMillis) ms (lease \(Cluster.leaseSeconds) s)"
        report(v, c, expect: [.succeeded: jobs])
        #expect(stop.alive.isEmpty, "children alive: \(stop.alive)")
    }

    @Test func workerTerminatedWithItsJobsInFlight() throws {
        let jobs = 200 * Chaos.scale
        let c = try Cluster(gateways: 1, workers: 2, slots: jobs)
        defer { c.stop() }
        let ids = try submit(jobs, #"{"jobType":"track","params":{"seconds":"6"}}"#, to: c)
        try waitStarted(jobs, c)
        let victim = busiest(c.workers)
        let children = childPIDs(of: victim.process.pid)
        let watcher = DeathWatcher(c.directory + "/attempts.log")
        let termAt = wallMicros()
        victim.process.signal(SIGTERM)
        let exited = victim.process.wait(timeout: .seconds(30))
        let exitMillis = (wallMicros() - termAt) / 1000
        let recovery = waitRetried(children.filter { pid in c.attemptLog.runs.contains { $0.pid == pid && $0.end == nil } }, c, since: termAt)
        var v = try verdict("worker SIGTERM", ids, c, unendedUntil: wallMicros(), timeout: .seconds(120 + 30 * Chaos.scale), watcher: watcher)
        v.recoveryMillis = recovery
        v.note = "\(children.count) in flight on the stopped worker; it exited (\(exited.map { "\($0)" } ?? "not at all")) \(exitMillis) ms after SIGTERM"
        report(v, c, expect: [.succeeded: jobs])
        #expect(exited == .exited(0), "\(victim.log.suffix(2000))")
    }

    @Test func aPoisonJobThatKillsItsWorker() throws {
        let c = try Cluster(gateways: 1, workers: 2, slots: 16, extra: """
            [job "poison"]
            command = /bin/sh -c 'kill -9 $PPID'
            max-attempts = 10
            """)
        defer { c.stop() }
        // Workers that die are started again under their ids, as systemd would.
        var replacements: [DaemonProcess] = []
        defer { replacements.forEach { $0.stop(grace: .seconds(5)) } }
        var current = Dictionary(uniqueKeysWithValues: c.workers.enumerated().map { ("w\($0.offset + 1)", $0.element) })
        let watcher = DeathWatcher(c.directory + "/attempts.log")
        let steadyIDs = try submit(10 * Chaos.scale, #"{"jobType":"track","params":{"seconds":"0.2"}}"#, to: c)
        let poison = try c.trigger(#"{"jobType":"poison"}"#)
        let start = ContinuousClock.now
        var restarts = 0
        let settled = waitUntil(timeout: .seconds(90), poll: .milliseconds(50)) {
            for (id, w) in current where !w.process.isRunning {
                guard let again = try? DaemonProcess("batch-worker", config: c.config, redisURL: c.redisURL, namespace: c.namespace, id: id) else { continue }
                replacements.append(again)
                current[id] = again
                restarts += 1
                _ = try? again.waitReady()
            }
            return (try? c.store.get(poison))?.state.isTerminal == true
        }
        #expect(settled, "the poison job never ended\n\(c.logs)")
        let record = try c.store.get(poison)
        var v = try verdict("poison job", steadyIDs + [poison], c, unendedUntil: wallMicros(), timeout: .seconds(60), watcher: watcher)
        v.recoveryMillis = (ContinuousClock.now - start).milliseconds
        // Bystanders share the workers the poison job kills: one cut as often as the threshold
        // is failed too (each lost attempt counts against the execution it cut, whoever caused it).
        let bystanders = try c.store.getMany(steadyIDs).compactMap { $0 }.filter { $0.state != .succeeded }
        v.note = "poison ended \(record?.state.rawValue ?? "?") (\(record?.reason ?? "-")) after \(record?.attempt ?? 0) attempts; \(restarts) worker restarts; "
            + "bystanders not succeeded: \(bystanders.map { "\($0.state.rawValue)/\($0.reason ?? "-")/lost \($0.lost)" }); recovery: until its verdict"
        report(v, c, expect: nil)
        #expect(record?.state == .failed && record?.reason == "poison", "\(String(describing: record))")
    }

    // MARK: Redis

    @Test(arguments: ["always", "everysec"])
    func redisKilledAndRestarted(fsync: String) throws {
        let redis = try RedisServer.start(extraConfig: ["appendonly yes", "appendfsync \(fsync)"])
        defer { redis.stop() }
        let jobs = 600 * Chaos.scale
        let c = try Cluster(gateways: 2, workers: 2, slots: 32, server: redis)
        defer { c.stop() }
        let warned = c.logLines(containing: "may lose the last second").count
        let submitter = Submitter(c, body: #"{"jobType":"track","params":{"seconds":"0.1"}}"#, total: jobs, threads: 2)
        #expect(waitUntil(timeout: .seconds(60), poll: .milliseconds(2)) { submitter.accepted.count >= jobs / 3 })
        let acceptedBefore = submitter.acceptedWithTimes
        let killedAt = ContinuousClock.now
        redis.kill()
        // Down for a second under load (the submitters keep asking, and are refused).
        _ = waitUntil(timeout: .seconds(1), poll: .milliseconds(100)) { false }
        try redis.restart()
        let restartedAt = ContinuousClock.now
        let firstAgain = waitUntil(timeout: .seconds(30), poll: .milliseconds(5)) { submitter.accepted.count > acceptedBefore.count + 1 }
        let recovery = (ContinuousClock.now - restartedAt).milliseconds
        submitter.finish()
        let ids = submitter.accepted
        var v = try verdict("Redis kill -9, appendfsync \(fsync)", ids, c, unendedUntil: wallMicros(), timeout: .seconds(120 + 30 * Chaos.scale))
        v.recoveryMillis = recovery
        // What Redis forgot entirely: accepted, then no record after the restart.
        let forgotten = try ids.filter { try c.store.get($0) == nil }
        let lastSecond = acceptedBefore.filter { killedAt - $0.at < .milliseconds(1500) }.count
        v.note = "recovery: restart to first 202; forgotten \(forgotten.count) (accepted in the last 1.5 s before the kill: \(lastSecond)); refused while down: \(submitter.refused); start-up warnings about fsync: \(warned)"
        #expect(firstAgain)
        if fsync == "always" {
            report(v, c, expect: [.succeeded: ids.count])
        } else {
            // everysec may forget the last second, and say so at start; never more than that.
            print(v.line)
            #expect(warned >= 1, "no daemon warned that appendfsync everysec may lose the last second")
            #expect(forgotten.count <= lastSecond, "\(forgotten.count) forgotten, more than the \(lastSecond) accepted in the last 1.5 s")
            #expect(v.malformed == 0)
        }
    }

    @Test func redisFrozen() throws {
        let freeze = Chaos.isLong ? 45 : 10
        let redis = try RedisServer.start()
        defer { redis.stop() }
        // The default lease (45 s) rides out an outage of up to 35 s (README); the long run freezes
        // Redis for 45 s, so it sets a lease that covers that: an operator's setting, not the default.
        let c = try Cluster(gateways: 1, workers: 2, slots: 64, lease: Chaos.isLong ? 75 : nil, server: redis)
        defer { c.stop() }
        let n = 8 * Chaos.scale
        var ids: [String] = []
        for i in 0..<n { ids.append(try c.trigger(#"{"jobType":"track","params":{"seconds":"\#(i % 2 == 0 ? 3 : freeze + 4)"}}"#)) }
        for i in 0..<n { ids.append(try c.trigger(#"{"jobType":"nap","params":{"seconds":"\#(i % 2 == 0 ? 3 : freeze + 4)"}}"#)) }
        #expect(waitUntil(timeout: .seconds(30), poll: .milliseconds(20)) {
            c.attemptLog.runs.count >= n && ((try? c.store.counts()[.running]) ?? 0) >= 2 * n
        }, "\(c.logs)")
        let pid = try #require(redis.pid)
        kill(pid, SIGSTOP)
        var thawed = false
        defer { if !thawed { kill(pid, SIGCONT) } }
        _ = waitUntil(timeout: .seconds(freeze), poll: .milliseconds(500)) { false }
        kill(pid, SIGCONT)
        thawed = true
        let thawedAt = ContinuousClock.now
        // Recovered once the gateway admits work again.
        let back = waitUntil(timeout: .seconds(30), poll: .milliseconds(20)) {
            (try? c.execute(#"{"jobType":"noop"}"#).status) == 202
        }
        #expect(back)
        let firstAccepted = (ContinuousClock.now - thawedAt).milliseconds
        var v = try verdict("Redis SIGSTOP \(freeze) s", ids, c, unendedUntil: wallMicros(), timeout: .seconds(120))
        v.recoveryMillis = firstAccepted
        let records = try c.store.getMany(ids).compactMap { $0 }
        let retried = records.filter { $0.attempt != 1 || $0.runs != 1 }.count
        v.note = "recovery: thaw to first 202; executions that needed a second attempt: \(retried)"
        report(v, c, expect: [.succeeded: ids.count])
        #expect(retried == 0)
    }

    // MARK: schedulers

    @Test func threeSchedulersWithTheLeaderKilledMidTick() throws {
        let count = 5 * Chaos.scale
        let seconds = 12 * Chaos.scale
        let schedules = (0..<count).map { "[schedule \"s\($0)\"]\njob = noop\ncron = * * * * * *\n" }.joined(separator: "\n")
        let c = try Cluster(gateways: 1, workers: 2, slots: 64, extra: schedules)
        defer { c.stop() }
        let config = c.config + "\n[scheduler]\nleader-ttl = 2s\ntick = 50ms\ngateways = \(c.gateways[0].url)\n"
        let names = ["sched-a", "sched-b", "sched-c"]
        var schedulers = try names.map { try DaemonProcess("batch-scheduler", config: config, redisURL: c.redisURL, namespace: c.namespace, id: $0) }
        defer { schedulers.forEach { $0.stop(grace: .seconds(5)) } }
        for s in schedulers { try s.waitReady() }
        let startMs = try c.fleet.redisTime()
        let killAt = startMs + Int64(seconds) * 1000 / 3
        let endMs = startMs + Int64(seconds) * 1000
        #expect(waitUntil(timeout: .seconds(seconds + 30)) { ((try? c.fleet.redisTime()) ?? 0) >= killAt })
        var leader: [String] = []
        #expect(waitUntil(timeout: .seconds(10)) { leader = leaders(c); return leader.count == 1 })
        let victim = try #require(names.firstIndex(of: leader.first ?? ""))
        // Mid-tick: the leader fires every second, with a 50 ms tick; killed now it is as likely
        // to be between claiming a fire and delivering it as anywhere else.
        let killedAt = ContinuousClock.now
        schedulers[victim].process.signal(SIGKILL)
        _ = schedulers[victim].process.wait(timeout: .seconds(5))
        let takeover = waitUntil(timeout: .seconds(15), poll: .milliseconds(10)) { leaders(c).contains { $0 != names[victim] } }
        let recovery = (ContinuousClock.now - killedAt).milliseconds
        #expect(takeover)
        schedulers[victim] = try DaemonProcess("batch-scheduler", config: config, redisURL: c.redisURL, namespace: c.namespace, id: names[victim])
        try schedulers[victim].waitReady()
        // Until every schedule's fire at the end has been delivered and run.
        var fires: [(schedule: String, fireTime: String, ms: Int64, id: String)] = []
        let delivered = waitUntil(timeout: .seconds(seconds + 60), poll: .milliseconds(200)) {
            fires = scheduledExecutions(c)
            return Dictionary(grouping: fires, by: \.schedule).values.filter { ($0.map(\.ms).max() ?? 0) >= endMs }.count == count
        }
        #expect(delivered, "\(fires.count) fires")
        for s in schedulers { s.stop(grace: .seconds(10)) }
        fires = scheduledExecutions(c)
        let ids = fires.map(\.id)
        var v = try verdict("three schedulers, leader kill -9", ids, c, unendedUntil: wallMicros(), timeout: .seconds(60))
        v.duplicateFires = ChaosChecker.duplicateFires(fires.map { ($0.schedule, $0.fireTime) })
        // Every (schedule, second) from the first whole second all had to the end: one execution.
        let first = (Dictionary(grouping: fires, by: \.schedule).values.compactMap { $0.map(\.ms).min() }.max() ?? startMs) + 1000
        let have = Set(fires.map { "\($0.schedule)@\($0.ms)" })
        for i in 0..<count {
            for ms in stride(from: first / 1000 * 1000, through: endMs / 1000 * 1000, by: 1000) where !have.contains("s\(i)@\(ms)") {
                v.missedFires += 1
            }
        }
        v.recoveryMillis = recovery
        v.note = "\(count) schedules every second for \(seconds) s; recovery: kill to a new leader"
        report(v, c, expect: [.succeeded: ids.count])
        #expect(v.missedFires == 0)
    }

    // MARK: the checker itself

    /// The checker must object to a broken history, or the scenarios prove nothing.
    @Test func theCheckerSeesEachBrokenInvariant() {
        let ok = ChaosChecker.verdict(scenario: "clean", accepted: ["a", "b"], states: ["a": .succeeded, "b": .failed],
                                      terminalEvents: ["a": 1, "b": 1],
                                      log: AttemptLog(text: "start a 1 10 100\nend a 1 10 200\nstart a 2 11 300\nend a 2 11 400"),
                                      unendedUntil: 0)
        #expect(ok.holds && ok.lost.isEmpty && ok.overlapping == 0, "\(ok.line)")

        // Two attempts at once.
        let overlap = ChaosChecker.verdict(scenario: "overlap", accepted: ["a"], states: ["a": .succeeded], terminalEvents: ["a": 1],
                                           log: AttemptLog(text: "start a 1 10 100\nstart a 2 11 150\nend a 1 10 200\nend a 2 11 400"),
                                           unendedUntil: 0)
        #expect(!overlap.holds && overlap.overlapping == 1)
        // A killed run (no end) that was still alive when its retry started.
        let cut = ChaosChecker.verdict(scenario: "cut", accepted: ["a"], states: ["a": .succeeded], terminalEvents: ["a": 1],
                                       log: AttemptLog(text: "start a 1 10 100\nstart a 2 11 300\nend a 2 11 400"), unendedUntil: 350)
        #expect(!cut.holds && cut.overlapping == 1)
        // One attempt run twice.
        let twice = ChaosChecker.verdict(scenario: "twice", accepted: ["a"], states: ["a": .succeeded], terminalEvents: ["a": 1],
                                         log: AttemptLog(text: "start a 1 10 100\nend a 1 10 200\nstart a 1 11 300\nend a 1 11 400"),
                                         unendedUntil: 0)
        #expect(!twice.holds && twice.overlapping == 1)
        // An execution that never ended, one Redis forgot, one with two terminal events.
        let lost = ChaosChecker.verdict(scenario: "lost", accepted: ["a", "b", "c", "d"],
                                        states: ["a": .running, "c": .succeeded, "d": .succeeded],
                                        terminalEvents: ["c": 2, "d": 1], log: nil, unendedUntil: 0)
        #expect(!lost.holds && lost.lost == ["a", "b", "c"], "\(lost.lost)")
        // A fire delivered twice.
        #expect(ChaosChecker.duplicateFires([("s0", "2025-01-01T00:00:01Z"), ("s0", "2025-01-01T00:00:01Z"), ("s0", "2025-01-01T00:00:02Z")]) == 1)
        #expect(ChaosChecker.duplicateFires([("s0", "2025-01-01T00:00:01Z"), ("s1", "2025-01-01T00:00:01Z")]) == 0)
        // Torn log lines.
        let torn = ChaosChecker.verdict(scenario: "torn", accepted: [], states: [:], terminalEvents: [:],
                                        log: AttemptLog(text: "start a 1 10 10start b"), unendedUntil: 0)
        #expect(!torn.holds)
    }
}

// MARK: helpers

/// Triggers `count` executions (alternating gateways) and returns their ids.
private func submit(_ count: Int, _ body: String, to c: Cluster) throws -> [String] {
    try (0..<count).map { try c.trigger(body, at: c.gateways[$0 % c.gateways.count]) }
}

/// Waits until `count` runs started (the attempt log has them).
private func waitStarted(_ count: Int, _ c: Cluster) throws {
    let ok = waitUntil(timeout: .seconds(60 + 10 * Chaos.scale), poll: .milliseconds(50)) { c.attemptLog.runs.count >= count }
    guard ok else { throw TestSupportError("\(c.attemptLog.runs.count) of \(count) started\n\(c.logs)") }
}

/// What stopping a worker did to its runs.
private struct WorkerStop {
    var children: [pid_t]
    var stoppedAt: Int64
    /// When each child was first seen dead (wall-clock micros).
    var deadAt: [pid_t: Int64]
    /// Milliseconds from the stop to the last retry's start; nil if not all were retried.
    var recovery: Int64?
    var lastDeath: Int64 { deadAt.values.max() ?? wallMicros() }
    var slowestDeathMillis: Int64 { ((deadAt.values.max() ?? stoppedAt) - stoppedAt) / 1000 }
    var alive: [pid_t] { children.filter { deadAt[$0] == nil } }
}

/// SIGSTOPs the busiest worker, notes when each of its children dies (they must, as zombies of
/// the stopped parent, before their leases end), waits until every cut run was retried
/// elsewhere, and lets the worker go on (SIGCONT) before returning.
private func stopBusiestWorkerUntilRetried(_ c: Cluster) -> WorkerStop {
    let victim = busiest(c.workers)
    let children = childPIDs(of: victim.process.pid)
    let stoppedAt = wallMicros()
    victim.process.signal(SIGSTOP)
    defer { victim.process.signal(SIGCONT) }
    var deadAt: [pid_t: Int64] = [:]
    _ = waitUntil(timeout: .seconds(Cluster.leaseSeconds + 10), poll: .milliseconds(5)) {
        for p in children where deadAt[p] == nil && !isAlive(p) { deadAt[p] = wallMicros() }
        return deadAt.count == children.count
    }
    let recovery = waitRetried(children, c, since: stoppedAt)
    return WorkerStop(children: children, stoppedAt: stoppedAt, deadAt: deadAt, recovery: recovery)
}

/// `jobs` runs of a few seconds each, the busiest worker stopped until its runs are retried
/// elsewhere (`stopBusiestWorkerUntilRetried`), and the verdict once every one ended.
private func runsCutByAStoppedWorker(_ scenario: String, _ jobs: Int, _ c: Cluster) throws -> (ChaosVerdict, WorkerStop) {
    let ids = try submit(jobs, #"{"jobType":"track","params":{"seconds":"\#(4 + Chaos.scale)"}}"#, to: c)
    try waitStarted(jobs, c)
    let stop = stopBusiestWorkerUntilRetried(c)
    var v = try verdict(scenario, ids, c, unendedUntil: stop.lastDeath, timeout: .seconds(120 + 30 * Chaos.scale))
    v.recoveryMillis = stop.recovery
    return (v, stop)
}

/// The worker running the most children.
private func busiest(_ workers: [DaemonProcess]) -> DaemonProcess {
    workers.max { childPIDs(of: $0.process.pid).count < childPIDs(of: $1.process.pid).count }!
}

/// Waits until every run whose process was one of `pids` has a later attempt started;
/// milliseconds from `since` (wall-clock micros) to the last of those starts, nil if not all did.
private func waitRetried(_ pids: [pid_t], _ c: Cluster, since: Int64) -> Int64? {
    let pidSet = Set(pids)
    var latest: Int64 = 0
    let ok = waitUntil(timeout: .seconds(60), poll: .milliseconds(20)) {
        let log = c.attemptLog
        let runs = log.byID
        latest = 0
        for run in log.runs where pidSet.contains(run.pid) {
            guard let next = runs[run.id]?.first(where: { $0.attempt > run.attempt }) else { return false }
            latest = max(latest, next.start)
        }
        return true
    }
    return ok ? max(0, latest - since) / 1000 : nil
}

/// Waits for every id to be terminal, then checks the invariants from Redis and the attempt log.
private func verdict(_ scenario: String, _ ids: [String], _ c: Cluster, unendedUntil: Int64, timeout: Duration,
                     watcher: DeathWatcher? = nil) throws -> ChaosVerdict {
    let records = try c.waitForTerminal(ids, timeout: timeout)
    watcher?.stop()
    let log = c.attemptLog
    return ChaosChecker.verdict(scenario: scenario, accepted: ids, states: records.mapValues(\.state),
                                terminalEvents: ChaosChecker.terminalEvents(try c.allEvents()), log: log,
                                unendedUntil: unendedUntil, deaths: workerReportedDeaths(c, log, merging: watcher?.deaths ?? [:]))
}

/// The death times the watcher saw, made earlier where the worker's own log proves the run was over
/// sooner: its lease reaper logs each SIGKILL with the time it was sent, and a worker writes "attempt
/// handed back to the queue" or "attempt given up without writing" only after it reaped the job's
/// main process and sent SIGKILL to its group. The watcher polls the attempt log and /proc every few
/// milliseconds, which on an overloaded machine can be seconds late.
private func workerReportedDeaths(_ c: Cluster, _ log: AttemptLog, merging seen: [pid_t: Int64]) -> [pid_t: Int64] {
    var deaths = seen
    var pidOf: [String: pid_t] = [:]
    for run in log.runs where run.end == nil { pidOf["\(run.id)#\(run.attempt)"] = run.pid }
    let time = ISO8601DateFormatter()
    time.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    for worker in c.workers {
        // The lease reaper's kills: `time=... msg="lease reaper: killed ..." pgids=P1,P2` (a job's
        // group id is its main process's pid). SIGKILL sent is the run's end: it runs no more code.
        for line in worker.log.split(separator: "\n") where line.contains("lease reaper: killed") {
            let words = line.split(separator: " ")
            guard let stamp = words.first(where: { $0.hasPrefix("time=") }), let at = time.date(from: String(stamp.dropFirst(5))),
                  let list = words.first(where: { $0.hasPrefix("pgids=") }) else { continue }
            let micros = Int64(at.timeIntervalSince1970 * 1_000_000)
            for pid in list.dropFirst(6).split(separator: ",").compactMap({ pid_t($0) }) {
                deaths[pid] = min(deaths[pid] ?? micros, micros)
            }
        }
        for line in worker.log.split(separator: "\n")
        where line.contains("attempt handed back to the queue") || line.contains("attempt given up without writing") {
            let words = line.split(separator: " ")
            func field(_ name: String) -> String? {
                words.first { $0.hasPrefix(name + "=") }.map { String($0.dropFirst(name.count + 1)) }
            }
            guard let stamp = words.first, let at = time.date(from: String(stamp)),
                  let id = field("execution"), let attempt = field("attempt"), let pid = pidOf["\(id)#\(attempt)"] else { continue }
            let micros = Int64(at.timeIntervalSince1970 * 1_000_000)
            deaths[pid] = min(deaths[pid] ?? micros, micros)
        }
    }
    return deaths
}

/// Prints the scenario's line and expects every invariant (and, when given, these terminal counts).
private func report(_ v: ChaosVerdict, _ c: Cluster, expect states: [ExecutionState: Int]?) {
    print(v.line)
    #expect(v.lost.isEmpty, "lost: \(v.lost.prefix(5))\n\(c.logs)")
    #expect(v.overlapping == 0, "overlapping attempts: \(c.attemptLog.overlaps(unendedUntil: wallMicros()).prefix(5))")
    #expect(v.duplicateFires == 0)
    #expect(v.malformed == 0, "\(c.attemptLog.malformed.prefix(5))")
    if let states { #expect(v.states == states, "\(v.line)\n\(c.logs)") }
}

/// The schedulers whose registration says they lead.
private func leaders(_ c: Cluster) -> [String] {
    ((try? c.fleet.live(within: .seconds(3)).daemons) ?? []).filter { $0.role == "scheduler" && $0.fields["leader"] == "1" }.map(\.id)
}

/// Every execution a schedule fired in this namespace: (schedule, fire time, fire ms from its key, id).
private func scheduledExecutions(_ c: Cluster) -> [(schedule: String, fireTime: String, ms: Int64, id: String)] {
    var out: [(String, String, Int64, String)] = []
    var before: String?
    while true {
        guard let page = try? c.store.list(limit: 500, before: before), !page.executions.isEmpty else { break }
        for r in page.executions where r.trigger.source == "schedule" {
            let key = r.idempotencyKey?.split(separator: ":") ?? []
            guard key.count == 3, let ms = Int64(key[2]) else { continue }
            out.append((r.trigger.schedule ?? "?", r.trigger.fireTime ?? "?", ms, r.id))
        }
        guard let next = page.next else { break }
        before = next
    }
    return out
}

/// Client threads triggering executions round-robin over the gateways until `total` were
/// accepted or `finish()`; a refused or failed request is counted and tried again.
private final class Submitter: Sendable {
    private struct State {
        var accepted: [(id: String, at: ContinuousClock.Instant)] = []
        var refused: [String: Int] = [:]
        var stop = false
        var running = 0
    }
    private let state = Mutex(State())

    init(_ c: Cluster, body: String, total: Int, threads: Int) {
        state.withLock { $0.running = threads }
        for t in 0..<threads {
            Thread { [self] in
                var i = t
                while !state.withLock({ $0.stop || $0.accepted.count >= total }) {
                    let gateway = c.gateways[i % c.gateways.count]
                    i += 1
                    guard gateway.process.isRunning else { continue }
                    do {
                        let r = try c.execute(body, at: gateway)
                        if r.status == 202, let id = try? JSONDecoder().decode(BatchExecutionResponse.self, from: Data(r.body)).executionId {
                            state.withLock { $0.accepted.append((id, .now)) }
                        } else {
                            state.withLock { $0.refused["\(r.status)", default: 0] += 1 }
                            usleep(10_000)
                        }
                    } catch {
                        state.withLock { $0.refused["error", default: 0] += 1 }
                        usleep(10_000)
                    }
                }
                state.withLock { $0.running -= 1 }
            }.start()
        }
    }

    var accepted: [String] { state.withLock { $0.accepted.map(\.id) } }
    var acceptedWithTimes: [(id: String, at: ContinuousClock.Instant)] { state.withLock { $0.accepted } }
    var refused: String { state.withLock { $0.refused.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: " ") } }

    /// Waits (up to two minutes) until the total was reached, then stops the threads.
    func finish() {
        _ = waitUntil(timeout: .seconds(120), poll: .milliseconds(20)) { state.withLock { $0.running == 0 } }
        state.withLock { $0.stop = true }
        _ = waitUntil(timeout: .seconds(30), poll: .milliseconds(20)) { state.withLock { $0.running == 0 } }
    }
}

extension Duration {
    var milliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}

/// The time of a daemon's first log line (its first word: `2026-12-07T23:26:41.992Z notice ...`).
private func firstStamp(_ log: String) -> Date? {
    guard let word = log.split(separator: "\n").first?.split(separator: " ").first else { return nil }
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return f.date(from: String(word.hasPrefix("time=") ? word.dropFirst(5) : word))
}

private func both(_ a: Date?, _ b: Date?) -> (Date, Date)? {
    guard let a, let b else { return nil }
    return (a, b)
}
