import Foundation
import Glibc
import Testing
@testable import Worker

/// The lease reaper's table, on its own: messages in, kills out.
struct ReaperTableTests {
    @Test(arguments: [
        ("w 1234 5000", ReaperTable.Message.watch(pgid: 1234, deadline: 5000)),
        ("f 1234", .forget(pgid: 1234)),
    ])
    func linesParseAndPrintBack(line: String, message: ReaperTable.Message) {
        #expect(ReaperTable.parse(Substring(line)) == message)
        #expect(ReaperTable.line(message) == line + "\n")
    }

    @Test(arguments: ["", "w 1234", "w 1 5000", "w 0 5000", "w -5 5000", "f", "f 1", "x 1234 5", "w 12a 5", "f 1234 9"])
    func anythingElseIsIgnored(line: String) {
        #expect(ReaperTable.parse(Substring(line)) == nil)
    }

    @Test func onlyGroupsPastTheirDeadlineAreKilledAndOnlyOnce() {
        var t = ReaperTable()
        t.apply(.watch(pgid: 100, deadline: 1_000))
        t.apply(.watch(pgid: 200, deadline: 2_000))
        t.apply(.watch(pgid: 300, deadline: 1_500))
        t.apply(.forget(pgid: 300))
        #expect(t.nextDeadline == 1_000)
        #expect(t.due(now: 999).isEmpty)
        #expect(t.due(now: 1_000) == [100])
        #expect(t.due(now: 1_999).isEmpty)
        // A renewal moves the deadline on.
        t.apply(.watch(pgid: 200, deadline: 3_000))
        #expect(t.due(now: 2_500).isEmpty)
        #expect(t.due(now: 3_000) == [200])
        #expect(t.nextDeadline == nil)
    }

    @Test func whenTheWorkerIsGoneEveryGroupIsKilled() {
        var t = ReaperTable()
        t.apply(.watch(pgid: 100, deadline: .max))
        t.apply(.watch(pgid: 200, deadline: .max))
        #expect(t.takeAll() == [100, 200])
        #expect(t.deadlines.isEmpty)
    }
}

/// The reaper process (the built `batch-worker` in reaper mode) and the runner together.
@Suite(.serialized) struct LeaseReaperProcessTests {
    let reaper: LeaseReaper
    let runner: ProcessRunner

    init() throws {
        reaper = try LeaseReaper(executable: WorkerHarness.binary("batch-worker"), warn: { print($0) })
        runner = ProcessRunner(reaper: reaper)
    }

    private func spec(deadlineIn millis: Int64) -> ProcessSpec {
        var s = ProcessSpec(argv: ["/bin/sh", "-c", "sleep 60 & echo $!; sleep 60"], timeout: .seconds(60))
        s.leaseDeadline = WorkerClock.monotonicMillis() + millis
        return s
    }

    @Test func aGroupWhoseDeadlinePassesIsKilledWithItsBackgroundProcesses() async throws {
        let log = EventLog()
        let started = WorkerClock.monotonicMillis()
        let p = try await runner.start(spec(deadlineIn: 300), onEvent: log.onEvent)
        #expect(await eventually(within: .seconds(10)) { !log.texts(.stdout).isEmpty })
        let background = try #require(Int32(log.texts(.stdout)[0]))
        let o = await outcome(of: p)
        #expect(o?.status == .signaled(SIGKILL))
        #expect(o?.cause == .natural, "the kill came from outside the worker, not from a stop of the runner")
        #expect(WorkerClock.monotonicMillis() - started >= 300)
        #expect(await eventually(within: .seconds(2)) { !isAlive(background) })
        #expect(reaper.watchedCount == 0)
    }

    @Test func aRenewedDeadlineKeepsTheGroupAliveUntilTheNewOne() async throws {
        let log = EventLog()
        let p = try await runner.start(spec(deadlineIn: 400), onEvent: log.onEvent)
        reaper.renew([(p.pid, WorkerClock.monotonicMillis() + 60_000)])
        try await Task.sleep(for: .milliseconds(800))
        #expect(p.isRunning, "killed although its deadline was moved on")
        reaper.renew([(p.pid, WorkerClock.monotonicMillis())])
        #expect(await outcome(of: p, within: .seconds(5))?.status == .signaled(SIGKILL))
    }

    @Test func aRenewalAfterTheEndIsDropped() async throws {
        var s = ProcessSpec(argv: ["/bin/true"])
        s.leaseDeadline = WorkerClock.monotonicMillis() + 60_000
        let p = try await runner.start(s)
        #expect(await outcome(of: p)?.status == .exited(0))
        reaper.renew([(p.pid, WorkerClock.monotonicMillis() + 60_000)])
        #expect(reaper.watchedCount == 0)
    }
}
