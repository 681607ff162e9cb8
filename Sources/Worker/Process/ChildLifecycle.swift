import Glibc

/// When to signal a child's process group and when its run is over, decided
/// from events and monotonic time (nanoseconds) alone; the engine performs
/// the signals. Stopping is SIGTERM to the group, then SIGKILL after the grace;
/// the run is over once the main process has exited and its output is closed,
/// or its drain deadline has passed.
struct ChildLifecycle {
    enum Action: Equatable {
        case signalGroup(Int32)
        /// Kill what is left of the group, reap the main process, report the outcome.
        case finish
    }

    let timeoutAt: UInt64?
    let graceNanos: UInt64
    /// How long output may still arrive after the main process exited on its own.
    let drainNanos: UInt64
    private(set) var cause = EndCause.natural
    private(set) var killAt: UInt64?
    private(set) var killSent = false
    private(set) var leaderExited = false
    private(set) var drainDeadline: UInt64?
    private(set) var finished = false

    init(timeoutAt: UInt64?, graceNanos: UInt64, drainNanos: UInt64 = 250_000_000) {
        self.timeoutAt = timeoutAt; self.graceNanos = graceNanos; self.drainNanos = drainNanos
    }

    var terminating: Bool { killAt != nil }

    /// Cancel or timeout: SIGTERM now, SIGKILL at `now + grace`. Ignored once
    /// the main process has exited or a stop is already under way.
    mutating func stop(_ cause: EndCause, graceNanos: UInt64, now: UInt64) -> [Action] {
        guard !leaderExited, !terminating, !finished else { return [] }
        self.cause = cause
        killAt = now &+ graceNanos
        return [.signalGroup(SIGTERM)]
    }

    /// The main process exited. While stopping, the rest of the group keeps its
    /// grace; otherwise it gets `drainNanos` to close its output.
    mutating func mainProcessExited(now: UInt64) {
        guard !leaderExited else { return }
        leaderExited = true
        if let killAt, !killSent {
            drainDeadline = killAt
        } else {
            drainDeadline = now &+ drainNanos
        }
    }

    /// What is due at `now`.
    mutating func tick(now: UInt64, outputClosed: Bool) -> [Action] {
        guard !finished else { return [] }
        var actions: [Action] = []
        if let timeoutAt, now >= timeoutAt {
            actions += stop(.timedOut, graceNanos: graceNanos, now: now)
        }
        if let killAt, !killSent, now >= killAt {
            killSent = true
            actions.append(.signalGroup(SIGKILL))
            if let deadline = drainDeadline { drainDeadline = min(deadline, now &+ drainNanos) }
        }
        if leaderExited, outputClosed || now >= (drainDeadline ?? 0) {
            finished = true
            actions.append(.finish)
        }
        return actions
    }

    /// The next instant `tick` has something to do, if any.
    var nextDeadline: UInt64? {
        guard !finished else { return nil }
        var next: UInt64?
        func consider(_ t: UInt64?) { if let t { next = min(next ?? t, t) } }
        if !terminating && !leaderExited { consider(timeoutAt) }
        if !killSent { consider(killAt) }
        if leaderExited { consider(drainDeadline) }
        return next
    }
}
