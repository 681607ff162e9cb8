import Glibc
import Testing
@testable import Worker

/// The stop/finish decisions, driven with explicit times (nanoseconds).
struct ProcessLifecycleTests {
    let s: UInt64 = 1_000_000_000

    @Test func timeoutSendsTermThenKillAfterGrace() {
        var life = ChildLifecycle(timeoutAt: 10 * s, graceNanos: 2 * s)
        #expect(life.nextDeadline == 10 * s)
        #expect(life.tick(now: 9 * s, outputClosed: false) == [])
        #expect(life.tick(now: 10 * s, outputClosed: false) == [.signalGroup(SIGTERM)])
        #expect(life.cause == .timedOut)
        #expect(life.nextDeadline == 12 * s)
        #expect(life.tick(now: 11 * s, outputClosed: false) == [])
        #expect(life.tick(now: 12 * s, outputClosed: false) == [.signalGroup(SIGKILL)])
        #expect(life.nextDeadline == nil)
        life.mainProcessExited(now: 12 * s + 1)
        #expect(life.tick(now: 12 * s + 2, outputClosed: true) == [.finish])
        #expect(life.tick(now: 13 * s, outputClosed: true) == [])
    }

    @Test func cancelHonouredEndsAsSoonAsOutputCloses() {
        var life = ChildLifecycle(timeoutAt: nil, graceNanos: 30 * s)
        #expect(life.stop(.cancelled, graceNanos: 30 * s, now: s) == [.signalGroup(SIGTERM)])
        life.mainProcessExited(now: s + 100)
        #expect(life.tick(now: s + 200, outputClosed: false) == [])
        #expect(life.tick(now: s + 300, outputClosed: true) == [.finish])
        #expect(life.cause == .cancelled)
    }

    @Test func groupKeepsItsGraceWhenTheMainProcessExitsFirst() {
        var life = ChildLifecycle(timeoutAt: nil, graceNanos: 5 * s)
        _ = life.stop(.cancelled, graceNanos: 5 * s, now: 0)
        life.mainProcessExited(now: s)
        // A TERM-trapping grandchild keeps the output open until the grace ends.
        #expect(life.nextDeadline == 5 * s)
        #expect(life.tick(now: 4 * s, outputClosed: false) == [])
        #expect(life.tick(now: 5 * s, outputClosed: false) == [.signalGroup(SIGKILL), .finish])
    }

    @Test func naturalExitDrainsOutputBriefly() {
        var life = ChildLifecycle(timeoutAt: 100 * s, graceNanos: 5 * s, drainNanos: s / 4)
        life.mainProcessExited(now: 2 * s)
        #expect(life.nextDeadline == 2 * s + s / 4)
        #expect(life.tick(now: 2 * s + 1, outputClosed: false) == [])
        #expect(life.tick(now: 2 * s + s / 4, outputClosed: false) == [.finish])
        #expect(life.cause == .natural)
    }

    @Test func laterStopsChangeNothing() {
        var life = ChildLifecycle(timeoutAt: 3 * s, graceNanos: 5 * s)
        #expect(life.stop(.cancelled, graceNanos: s, now: s) == [.signalGroup(SIGTERM)])
        #expect(life.stop(.cancelled, graceNanos: 0, now: s + 1) == [])
        #expect(life.tick(now: 3 * s, outputClosed: false) == [.signalGroup(SIGKILL)])
        #expect(life.cause == .cancelled)

        var ended = ChildLifecycle(timeoutAt: nil, graceNanos: s)
        ended.mainProcessExited(now: 0)
        #expect(ended.stop(.cancelled, graceNanos: s, now: 1) == [])
        #expect(ended.cause == .natural)
    }
}
