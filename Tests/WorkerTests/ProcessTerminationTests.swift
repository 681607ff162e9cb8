import Foundation
import Glibc
import Testing
@testable import Worker

/// Timeout, cancel and death with the parent: whole process groups end.
struct ProcessTerminationTests {
    let runner = ProcessRunner()

    /// Waits for the first stdout line, the pid a script printed with `echo $!`.
    private func firstPid(_ log: EventLog) async throws -> Int32 {
        #expect(await eventually(within: .seconds(10)) { !log.texts(.stdout).isEmpty })
        return try #require(log.texts(.stdout).first.flatMap { Int32($0) })
    }

    @Test func timeoutKillsTheJobAndItsBackgroundGrandchild() async throws {
        let log = EventLog()
        let p = try await runner.start(testSpec(["sh", "-c", "sleep 1000 & echo $!; sleep 1000"],
                                                timeout: .milliseconds(500), killGrace: .seconds(1)), onEvent: log.onEvent)
        let grandchild = try await firstPid(log)
        let end = try #require(await outcome(of: p))
        #expect(end.cause == .timedOut)
        #expect(end.status == .signaled(SIGTERM))
        #expect(await eventually(within: .seconds(2)) { !isAlive(p.pid) && !isAlive(grandchild) })
    }

    @Test func cancelEndsTheGroupWithinASecondWhenTermIsHonoured() async throws {
        let log = EventLog()
        let p = try await runner.start(testSpec(["sh", "-c", "sleep 1000 & echo $!; sleep 1000"], killGrace: .seconds(30)),
                                       onEvent: log.onEvent)
        let grandchild = try await firstPid(log)
        let clock = ContinuousClock()
        let cancelledAt = clock.now
        p.cancel()
        #expect(await eventually(within: .seconds(1)) { !isAlive(p.pid) && !isAlive(grandchild) })
        let end = try #require(await outcome(of: p, within: .seconds(5)))
        #expect(clock.now - cancelledAt < .seconds(5))
        #expect(end.cause == .cancelled)
        #expect(end.status == .signaled(SIGTERM))
    }

    @Test func cancelEscalatesToKillAfterGraceWhenTermIsTrapped() async throws {
        let log = EventLog()
        let p = try await runner.start(testSpec(["sh", "-c", "trap '' TERM; sleep 1000 & echo $!; sleep 1000"]),
                                       onEvent: log.onEvent)
        let grandchild = try await firstPid(log)
        let clock = ContinuousClock()
        let cancelledAt = clock.now
        p.terminate(grace: .milliseconds(700))
        let end = try #require(await outcome(of: p, within: .seconds(10)))
        #expect(clock.now - cancelledAt >= .milliseconds(700))
        #expect(end.cause == .cancelled)
        #expect(end.status == .signaled(SIGKILL))
        #expect(await eventually(within: .seconds(1)) { !isAlive(p.pid) && !isAlive(grandchild) })
    }

    @Test func backgroundProcessesDoNotOutliveANaturalExit() async throws {
        let log = EventLog()
        let p = try await runner.start(testSpec(["sh", "-c", "sleep 1000 >/dev/null 2>&1 & echo $!"]), onEvent: log.onEvent)
        let straggler = try await firstPid(log)
        let end = try #require(await outcome(of: p))
        #expect(end.status == .exited(0))
        #expect(end.cause == .natural)
        #expect(await eventually(within: .seconds(2)) { !isAlive(straggler) })
    }

    @Test func cancelAfterTheEndChangesNothing() async throws {
        let p = try await runner.start(testSpec(["true"]))
        let end = try #require(await outcome(of: p))
        p.cancel()
        #expect(end.cause == .natural)
        #expect(p.outcome == end)
    }

    /// `setpriv --pdeathsig KILL` (what the runner puts in front of every job)
    /// kills the program when its parent dies by SIGKILL. The sleep escapes
    /// the group with setsid, so only the death signal can end it; the control
    /// run without setpriv shows that it otherwise survives.
    @Test(arguments: [true, false])
    func childDiesWithItsParentOnlyUnderSetpriv(wrapped: Bool) async throws {
        let prefix = wrapped ? "/usr/bin/setpriv --pdeathsig KILL -- " : ""
        let log = EventLog()
        let p = try await runner.start(testSpec(["sh", "-c", "\(prefix)setsid sleep 1000 >/dev/null 2>&1 & echo $!; wait"]),
                                       onEvent: log.onEvent)
        let sleeper = try await firstPid(log)
        // setpriv and setsid exec in place: wait until the pid runs sleep itself.
        #expect(await eventually(within: .seconds(5)) {
            (try? String(contentsOfFile: "/proc/\(sleeper)/comm", encoding: .utf8)) == "sleep\n"
        })
        #expect(kill(p.pid, SIGKILL) == 0)
        let died = await eventually(within: .seconds(2)) { !isAlive(sleeper) }
        if !died { kill(sleeper, SIGKILL) }
        #expect(died == wrapped)
        _ = try #require(await outcome(of: p))
    }

    @Test func runnerWithoutSetprivWarnsAndStillRuns() async throws {
        let warnings = EventLog()
        let runner = ProcessRunner(setprivPath: "/nonexistent/setpriv",
                                   warn: { warnings.onEvent(.output([OutputLine(stream: .stderr, text: $0)])) })
        #expect(!runner.dieWithParent)
        #expect(warnings.texts(.stderr).count == 1)
        let p = try await runner.start(testSpec(["true"]))
        #expect(try #require(await outcome(of: p)).status == .exited(0))
    }
}
