import BatchCore
import Foundation
import Glibc
import Store
import Testing
import TestSupport

/// Promise 2 when the worker itself cannot act: its lease reaper, a process outside it, kills
/// the children of a stopped worker before their leases end.
extension FleetTests {
    @Test func aStoppedWorkersChildrenDieBeforeTheirLeaseEndsSoAttemptsNeverOverlap() throws {
        let c = try Cluster(gateways: 1, workers: 2, slots: 32)
        defer { c.stop() }
        let jobs = 24
        var ids: [String] = []
        for _ in 0..<jobs { ids.append(try c.trigger(#"{"jobType":"track","params":{"seconds":"6"}}"#)) }
        let allStarted = waitUntil(timeout: .seconds(30), poll: .milliseconds(20)) { c.attemptLog.runs.count >= jobs }
        #expect(allStarted, "\(c.attemptLog.runs.count) of \(jobs) started\n\(c.logs)")

        let victim = c.workers.max { childPIDs(of: $0.process.pid).count < childPIDs(of: $1.process.pid).count }!
        let children = childPIDs(of: victim.process.pid)
        #expect(children.count >= 4, "the victim runs \(children.count) children")
        let stoppedAt = wallMicros()
        victim.process.signal(SIGSTOP)
        var resumed = false
        defer { if !resumed { victim.process.signal(SIGCONT) } }

        // A child of the stopped worker is dead once it is a zombie (its parent cannot reap it).
        var deadAt: [pid_t: Int64] = [:]
        let allDead = waitUntil(timeout: .seconds(Cluster.leaseSeconds + 5), poll: .milliseconds(5)) {
            for p in children where deadAt[p] == nil && !isAlive(p) { deadAt[p] = wallMicros() }
            return deadAt.count == children.count
        }
        #expect(allDead, "children of the stopped worker alive after \(Cluster.leaseSeconds + 5) s: \(children.filter { deadAt[$0] == nil })")
        // Keep it stopped until every one of its executions started again elsewhere.
        let cut = c.attemptLog.runs.filter { children.contains($0.pid) }
        #expect(cut.count == children.count, "\(cut.count) runs for \(children.count) children")
        let retried = waitUntil(timeout: .seconds(20), poll: .milliseconds(50)) {
            let runs = c.attemptLog.byID
            return cut.allSatisfy { run in runs[run.id]?.contains { $0.attempt > run.attempt } == true }
        }
        #expect(retried, "not every execution of the stopped worker was tried again\n\(c.logs)")
        victim.process.signal(SIGCONT)
        resumed = true

        let records = try c.waitForTerminal(ids, timeout: .seconds(60))
        let states = Dictionary(grouping: records.values, by: \.state).mapValues(\.count)
        #expect(states == [.succeeded: jobs], "\(states)\n\(c.logs)")

        // No retry started before the run it replaces was dead.
        let log = c.attemptLog
        #expect(log.malformed.isEmpty, "\(log.malformed.prefix(5))")
        let runs = log.byID
        var slowestKill: Int64 = 0, tightest = Int64.max
        for run in cut {
            #expect(run.end == nil, "\(run) ended although its worker was stopped")
            guard let dead = deadAt[run.pid], let next = runs[run.id]?.first(where: { $0.attempt > run.attempt }) else { continue }
            #expect(next.start > dead, "\(run.id): attempt \(next.attempt) started \((dead - next.start) / 1000) ms before attempt \(run.attempt) died")
            slowestKill = max(slowestKill, dead - stoppedAt)
            tightest = min(tightest, next.start - dead)
        }
        #expect(log.overlaps(unendedUntil: deadAt.values.max() ?? wallMicros()).isEmpty)
        for (id, list) in runs {
            #expect(Set(list.map(\.attempt)).count == list.count, "\(id) ran one attempt twice: \(list)")
        }
        let terminal = Dictionary(grouping: try c.allEvents().filter { $0.state?.isTerminal == true }, by: { $0.executionID ?? "" })
        #expect(ids.allSatisfy { terminal[$0]?.count == 1 }, "\(ids.filter { terminal[$0]?.count != 1 }.prefix(5))")
        print("worker SIGSTOP: \(cut.count) children killed by the lease reaper at most \(slowestKill / 1000) ms after the stop (lease \(Cluster.leaseSeconds) s); the closest retry started \(tightest / 1000) ms after the run it replaced died")
    }

    @Test func aWorkerRestartedUnderItsIdHandsBackWhatItsEarlierRunHeldAtOnce() throws {
        // A lease far longer than the recovery this test waits for.
        let lease = 60
        let c = try Cluster(gateways: 1, workers: 2, slots: 16, lease: lease)
        defer { c.stop() }
        let jobs = 16
        var ids: [String] = []
        for _ in 0..<jobs { ids.append(try c.trigger(#"{"jobType":"track","params":{"seconds":"3"}}"#)) }
        #expect(waitUntil(timeout: .seconds(30), poll: .milliseconds(20)) { c.attemptLog.runs.count >= jobs }, "\(c.logs)")
        let victim = c.workers.max { childPIDs(of: $0.process.pid).count < childPIDs(of: $1.process.pid).count }!
        let victimID = victim === c.workers[0] ? "w1" : "w2"
        let children = childPIDs(of: victim.process.pid)
        #expect(children.count >= 2, "the victim runs \(children.count) children")
        victim.process.signal(SIGKILL)
        #expect(victim.process.wait(timeout: .seconds(5)) == .signaled(SIGKILL))
        let killedAt = wallMicros()

        let again = try DaemonProcess("batch-worker", config: c.config, redisURL: c.redisURL, namespace: c.namespace, id: victimID)
        defer { again.stop(grace: .seconds(5)) }
        try again.waitReady()
        let cut = c.attemptLog.runs.filter { children.contains($0.pid) }
        #expect(cut.count == children.count)
        let retried = waitUntil(timeout: .seconds(15), poll: .milliseconds(20)) {
            let runs = c.attemptLog.byID
            return cut.allSatisfy { run in runs[run.id]?.contains { $0.attempt > run.attempt } == true }
        }
        #expect(retried, "the executions of the killed worker were not tried again within 15 s (lease \(lease) s)\n\(again.log)")
        let runs = c.attemptLog.byID
        let slowest = cut.compactMap { run in runs[run.id]?.first { $0.attempt > run.attempt }.map { $0.start - killedAt } }.max() ?? 0
        #expect(slowest < 10_000_000, "slowest retry started \(slowest / 1000) ms after the kill")
        #expect(again.log.contains("handed back the attempts of an earlier run"), "\(again.log)")

        let records = try c.waitForTerminal(ids, timeout: .seconds(60))
        let states = Dictionary(grouping: records.values, by: \.state).mapValues(\.count)
        #expect(states == [.succeeded: jobs], "\(states)\n\(c.logs)\n\(again.log)")
        #expect(c.attemptLog.overlaps(unendedUntil: killedAt).isEmpty)
        let terminal = Dictionary(grouping: try c.allEvents().filter { $0.state?.isTerminal == true }, by: { $0.executionID ?? "" })
        #expect(ids.allSatisfy { terminal[$0]?.count == 1 })
        print("worker restart: \(cut.count) attempts of the killed run handed back; slowest retry started \(slowest / 1000) ms after kill -9 (lease \(lease) s)")
    }

    @Test func aRedisFrozenForTwentySecondsCostsNoRunningJob() throws {
        let redis = try RedisServer.start()
        defer { redis.stop() }
        // The default lease: what an operator who changed nothing gets.
        let c = try Cluster(gateways: 1, workers: 2, slots: 32, lease: nil, server: redis)
        defer { c.stop() }
        var ids: [String] = []
        // Some end while Redis is frozen (their ends are written after), some after it thaws.
        for i in 0..<8 { ids.append(try c.trigger(#"{"jobType":"track","params":{"seconds":"\#(i % 2 == 0 ? 5 : 24)"}}"#)) }
        for i in 0..<8 { ids.append(try c.trigger(#"{"jobType":"nap","params":{"seconds":"\#(i % 2 == 0 ? 5 : 24)"}}"#)) }
        let running = waitUntil(timeout: .seconds(20), poll: .milliseconds(20)) {
            c.attemptLog.runs.count >= 8 && ((try? c.store.counts()[.running]) ?? 0) >= 16
        }
        #expect(running, "\((try? c.store.counts()) ?? [:])\n\(c.logs)")
        let pid = try #require(redis.pid)
        let frozenAt = ContinuousClock.now
        kill(pid, SIGSTOP)
        var thawed = false
        defer { if !thawed { kill(pid, SIGCONT) } }
        // Twenty seconds, longer than any lease used to survive (a worker gave up at 12 s).
        _ = waitUntil(timeout: .seconds(20), poll: .milliseconds(500)) { false }
        kill(pid, SIGCONT)
        thawed = true
        let frozeFor = ContinuousClock.now - frozenAt

        let records = try c.waitForTerminal(ids, timeout: .seconds(60))
        let states = Dictionary(grouping: records.values, by: \.state).mapValues(\.count)
        #expect(states == [.succeeded: ids.count], "\(states) \(records.values.compactMap(\.reason))\n\(c.logs)")
        #expect(records.values.allSatisfy { $0.attempt == 1 && $0.runs == 1 }, "\(records.values.filter { $0.attempt != 1 })")
        let log = c.attemptLog
        #expect(log.runs.count == 8 && log.runs.allSatisfy { $0.end != nil }, "\(log.runs)")
        let terminal = Dictionary(grouping: try c.allEvents().filter { $0.state?.isTerminal == true }, by: { $0.executionID ?? "" })
        #expect(ids.allSatisfy { terminal[$0]?.count == 1 })
        print("Redis frozen for \(frozeFor): \(states)")
    }
}
