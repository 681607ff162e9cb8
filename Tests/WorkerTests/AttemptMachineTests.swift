import BatchCore
import Dispatch
import Resilience
import Synchronization
import Testing
@testable import Worker

/// The attempt machine event by event: a 30 s lease admitted at 1 000 ms is abandoned
/// from 25 000 ms (lease − a fifth), and its reaper deadline is 28 000 ms.
struct AttemptMachineTests {
    static let grace: Duration = .seconds(5)

    /// A machine just admitted, or (`running`) whose job runs and whose dispatch is answered.
    static func machine(running: Bool = true) -> AttemptMachine {
        var m = AttemptMachine(policy: LeasePolicy(lease: .seconds(30), renewEvery: .seconds(10)), killGrace: grace, now: 1_000)
        if running {
            #expect(m.handle(.jobStarted) == [])
            #expect(m.handle(.dispatchAnswered) == [])
        }
        return m
    }

    @Test func aNormalRunFlushesItsOutputThenWritesItsEnd() {
        var m = Self.machine(running: false)
        #expect(!m.holdsLease)
        #expect(m.handle(.jobStarted) == [])
        #expect(m.handle(.dispatchAnswered) == [])
        #expect(m.phase == .running && m.holdsLease)
        #expect(m.handle(.tick(now: 2_000, outputWaiting: true)) == [.queueFlush])
        #expect(m.handle(.flushStarted(took: true)) == [.writeOutput])
        #expect(m.handle(.flushFinished) == [])
        #expect(m.handle(.jobEnded(.exited(0), outputWaiting: false)) == [.freeSlot, .writeEndOnLane])
        #expect(m.phase == .ending && m.outcome == .exited(0))
        #expect(m.handle(.endDue(now: 3_000)) == [.writeEnd])
        #expect(m.handle(.removed) == [])
        #expect(m.phase == .over && !m.holdsLease)
    }

    @Test func aCancelWhileStartingStopsTheJobOnceItRuns() {
        var m = Self.machine(running: false)
        #expect(m.handle(.cancelRequested) == [.stopping(.cancel)])
        #expect(m.handle(.jobStarted) == [.stopJob(grace: Self.grace)])
        #expect(m.stop == .cancel)
    }

    @Test func aCancelFoundAtStartEndsTheAttemptWithItsDispatch() {
        var m = Self.machine(running: false)
        _ = m.handle(.cancelRequested)
        #expect(m.handle(.jobEnded(.cancelled, outputWaiting: false)) == [.freeSlot])
        #expect(m.handle(.dispatchAnswered) == [.writeEndWithDispatch])
        #expect(m.handle(.endDue(now: 2_000)) == [.writeEnd])
    }

    @Test func aCancelWhileRunningStopsTheJobWithTheKillGrace() {
        var m = Self.machine()
        #expect(m.handle(.cancelRequested) == [.stopping(.cancel), .stopJob(grace: Self.grace)])
        #expect(m.handle(.jobEnded(.cancelled, outputWaiting: false)) == [.freeSlot, .writeEndOnLane])
        #expect(m.handle(.endDue(now: 2_000)) == [.writeEnd])
    }

    @Test func aCancelAfterTheEndStopsNoJobAndAfterRemovalChangesNothing() {
        var m = Self.machine()
        _ = m.handle(.jobEnded(.exited(1), outputWaiting: false))
        #expect(m.handle(.cancelRequested) == [.stopping(.cancel)])
        _ = m.handle(.removed)
        #expect(m.handle(.drainRequested) == [])
        #expect(m.handle(.leaseLost) == [])
        #expect(m.stop == .cancel)
    }

    @Test func aLeaseFoundGoneKillsTheJobAtOnceAndWritesNothing() {
        var m = Self.machine()
        #expect(m.handle(.leaseLost) == [.stopping(.lost), .stopJob(grace: .zero)])
        #expect(!m.holdsLease)
        #expect(m.handle(.tick(now: 2_000, outputWaiting: true)) == [])
        #expect(m.handle(.flushStarted(took: true)) == [])
        #expect(m.handle(.jobEnded(.signaled(9), outputWaiting: true)) == [.freeSlot, .writeEndOnLane])
        #expect(m.handle(.endDue(now: 3_000)) == [.giveUp])
    }

    @Test func aLeaseFoundGoneOnlyLosesARunningJob() {
        var starting = Self.machine(running: false)
        #expect(starting.handle(.leaseLost) == [])
        var ended = Self.machine()
        _ = ended.handle(.jobEnded(.exited(0), outputWaiting: false))
        #expect(ended.handle(.leaseLost) == [])
        #expect(ended.handle(.endDue(now: 2_000)) == [.writeEnd])
    }

    @Test func aLeaseNotRenewedInTimeIsGivenUpAtTheTickOnce() {
        var m = Self.machine()
        #expect(m.handle(.tick(now: 24_999, outputWaiting: false)) == [])
        #expect(m.handle(.tick(now: 25_000, outputWaiting: false)) == [.stopping(.lost), .stopJob(grace: .zero)])
        #expect(m.handle(.tick(now: 26_000, outputWaiting: false)) == [])
    }

    @Test func anAttemptNotStartedInRedisIsNeverAbandoned() {
        var m = Self.machine(running: false)
        #expect(m.handle(.tick(now: 100_000, outputWaiting: false)) == [])
        #expect(m.stop == nil)
    }

    @Test func aRenewalMovesTheAbandonPointAndTheReaperDeadlineForwardOnly() {
        var m = Self.machine()
        #expect(m.reaperDeadline == 28_000)
        #expect(m.handle(.leaseRenewed(sentAt: 20_000)) == [.moveReaperDeadline(47_000)])
        #expect(m.handle(.leaseRenewed(sentAt: 15_000)) == [.moveReaperDeadline(47_000)])
        #expect(m.handle(.tick(now: 30_000, outputWaiting: false)) == [])
        #expect(m.handle(.tick(now: 44_000, outputWaiting: false)) == [.stopping(.lost), .stopJob(grace: .zero)])
    }

    @Test func aDrainedJobThatStopsIsHandedBack() {
        var m = Self.machine()
        #expect(m.handle(.drainRequested) == [.stopping(.drain), .stopJob(grace: Self.grace)])
        _ = m.handle(.jobEnded(.cancelled, outputWaiting: false))
        #expect(m.handle(.endDue(now: 2_000)) == [.handBack])
    }

    @Test func aDrainedJobThatEndsOnItsOwnHasItsEndWritten() {
        var m = Self.machine()
        _ = m.handle(.drainRequested)
        _ = m.handle(.jobEnded(.exited(0), outputWaiting: false))
        #expect(m.handle(.endDue(now: 2_000)) == [.writeEnd])
    }

    @Test func theFirstStopReasonStaysUntilTheLeaseIsLost() {
        var m = Self.machine()
        _ = m.handle(.cancelRequested)
        #expect(m.handle(.drainRequested) == [])
        #expect(m.stop == .cancel)
        #expect(m.handle(.leaseLost) == [.stopping(.lost), .stopJob(grace: .zero)])
        #expect(m.handle(.cancelRequested) == [])
        #expect(m.stop == .lost)
    }

    @Test func anEndRedisDoesNotAnswerIsRetriedWhileTheLeaseLasts() {
        var m = Self.machine()
        _ = m.handle(.jobEnded(.exited(0), outputWaiting: false))
        _ = m.handle(.endDue(now: 2_000))
        #expect(m.handle(.endWriteFailed(unavailable: true, now: 2_200)) == [.retryEnd(afterMillis: 200)])
        #expect(m.handle(.endWriteFailed(unavailable: true, now: 24_999)) == [.retryEnd(afterMillis: 200)])
        #expect(m.handle(.endWriteFailed(unavailable: true, now: 25_000)) == [.endNotRecorded])
    }

    @Test func anEndRedisRefusesIsNotRetried() {
        var m = Self.machine()
        _ = m.handle(.jobEnded(.exited(0), outputWaiting: false))
        _ = m.handle(.endDue(now: 2_000))
        #expect(m.handle(.endWriteFailed(unavailable: false, now: 2_200)) == [.endNotRecorded])
    }

    @Test func anEndDuePastTheAbandonPointIsGivenUp() {
        var m = Self.machine()
        _ = m.handle(.jobEnded(.exited(0), outputWaiting: false))
        #expect(m.handle(.endDue(now: 25_000)) == [.giveUp])
        #expect(m.stop == .lost)
    }

    @Test func repeatedEventsAreIgnored() {
        var m = Self.machine()
        #expect(m.handle(.jobStarted) == [])
        _ = m.handle(.cancelRequested)
        #expect(m.handle(.cancelRequested) == [])
        _ = m.handle(.jobEnded(.cancelled, outputWaiting: false))
        #expect(m.handle(.jobEnded(.exited(0), outputWaiting: false)) == [])
        #expect(m.outcome == .cancelled)
        #expect(m.handle(.jobStarted) == [])
        _ = m.handle(.endDue(now: 2_000))
        #expect(m.handle(.endDue(now: 2_000)) == [])
    }

    @Test func aJobThatEndsQuietlyBeforeItsDispatchIsAnsweredLeavesItsEndToTheDispatch() {
        var m = Self.machine(running: false)
        _ = m.handle(.jobStarted)
        #expect(m.handle(.jobEnded(.exited(0), outputWaiting: false)) == [.freeSlot])
        #expect(m.handle(.dispatchAnswered) == [.writeEndWithDispatch])
        #expect(m.handle(.dispatchAnswered) == [])
    }

    @Test func anEndAfterOutputWaitingQueuedOrBeingWrittenGoesOnTheLaneEvenBeforeTheDispatchIsAnswered() {
        /// A job that runs while its dispatch is still being answered.
        func answering() -> AttemptMachine {
            var m = Self.machine(running: false)
            _ = m.handle(.jobStarted)
            return m
        }
        var waiting = answering()
        #expect(waiting.handle(.jobEnded(.exited(0), outputWaiting: true)) == [.freeSlot, .writeEndOnLane])
        #expect(waiting.handle(.dispatchAnswered) == [])
        var queued = answering()
        _ = queued.handle(.tick(now: 2_000, outputWaiting: true))
        #expect(queued.handle(.jobEnded(.exited(0), outputWaiting: false)) == [.freeSlot, .writeEndOnLane])
        var writing = answering()
        _ = writing.handle(.tick(now: 2_000, outputWaiting: true))
        _ = writing.handle(.flushStarted(took: true))
        #expect(writing.handle(.jobEnded(.exited(0), outputWaiting: false)) == [.freeSlot, .writeEndOnLane])
        var answered = Self.machine()
        #expect(answered.handle(.jobEnded(.exited(0), outputWaiting: false)) == [.freeSlot, .writeEndOnLane])
    }

    @Test func aFlushIsQueuedOnceUntilItStartsAndWritesOnlyWhatItTook() {
        var m = Self.machine()
        #expect(m.handle(.tick(now: 2_000, outputWaiting: true)) == [.queueFlush])
        #expect(m.handle(.tick(now: 2_100, outputWaiting: true)) == [])
        #expect(m.handle(.flushStarted(took: false)) == [])
        #expect(!m.writingOutput)
        #expect(m.handle(.tick(now: 2_200, outputWaiting: true)) == [.queueFlush])
        #expect(m.handle(.flushStarted(took: true)) == [.writeOutput])
        #expect(m.writingOutput)
        #expect(m.handle(.flushFinished) == [])
        #expect(!m.writingOutput)
    }

    @Test func aProgramThatCannotStartEndsItsStartingAttempt() {
        var m = Self.machine(running: false)
        #expect(m.handle(.jobEnded(.spawnError("no such file"), outputWaiting: false)) == [.freeSlot])
        #expect(m.phase == .ending)
        #expect(m.handle(.jobStarted) == [])
        #expect(m.handle(.dispatchAnswered) == [.writeEndWithDispatch])
        #expect(m.handle(.endDue(now: 2_000)) == [.writeEnd])
    }

    /// A job handle that records the stops asked of it.
    final class StopRecorder: JobHandle {
        let stops = Mutex<[Duration]>([])
        func stop(grace: Duration) { stops.withLock { $0.append(grace) } }
    }

    static func attempt() -> Attempt {
        Attempt(id: ExecutionID.make(), number: 1, job: JobType(name: "hold", argv: ["/bin/sleep", "60"]), params: [:],
                timeout: .seconds(60), leaseMillis: 30_000, renewEvery: .seconds(10), killGrace: grace,
                lane: DispatchQueue(label: "attempt-machine-tests"), now: 1_000, output: OutputBuffer())
    }

    /// The order of a renewal that finds the lease gone: the job is killed, ends as stopped by the
    /// worker (`cancelled`), and the attempt stays in the table (its slot freed) until its lane
    /// gives the end up. What the worker shows for it meanwhile is what it shows after: `lost`,
    /// not the cancel its outcome reads as, nor `running` while the kill is on its way.
    @Test func anAttemptWhoseLeaseIsLostShowsAsLostFromTheStopOn() {
        let a = Self.attempt()
        let job = StopRecorder()
        a.attach(job)
        a.send(.dispatchAnswered)
        #expect(a.snapshot().status == "running")
        #expect(a.send(.leaseLost) == [.stopping(.lost)])
        #expect(job.stops.withLock { $0 } == [.zero])
        #expect(a.snapshot().status == "lost")
        #expect(a.send(.jobEnded(.cancelled, outputWaiting: true)) == [.freeSlot, .writeEndOnLane])
        #expect(a.snapshot().status == "lost")
        #expect(a.send(.endDue(now: 2_000)) == [.giveUp])
        #expect(a.snapshot().status == "lost")
    }

    /// The other statuses an attempt shows: `cancelling` until a cancelled job ends, then its outcome's.
    @Test func anAttemptShowsItsCancelThenItsOutcome() {
        let a = Self.attempt()
        a.attach(StopRecorder())
        a.send(.dispatchAnswered)
        a.send(.cancelRequested)
        #expect(a.snapshot().status == "cancelling")
        a.send(.jobEnded(.cancelled, outputWaiting: false))
        #expect(a.snapshot().status == "cancelled")
        let b = Self.attempt()
        b.attach(StopRecorder())
        b.send(.jobEnded(.exited(3), outputWaiting: false))
        #expect(b.snapshot().status == "failed" && b.snapshot().exitCode == 3)
    }
}
