import BatchCore
import Daemon
import Foundation
import Store
import Synchronization

/// Follows the events stream on a connection of its own: ends of executions
/// this gateway dispatched free their worker's slot, new and returning
/// executions wake the dispatchers, and ends complete long polls.
final class EventWatcher: Sendable {
    let context: GatewayContext
    let stopped = Atomic<Bool>(false)

    init(context: GatewayContext) { self.context = context }

    func start() {
        let t = Thread { [self] in loop() }
        t.name = "events"
        t.start()
    }

    func stop() { stopped.store(true, ordering: .releasing) }

    private func loop() {
        var follower: EventFollower?
        var last = "$"
        while !stopped.load(ordering: .acquiring) {
            do {
                if follower == nil { follower = try context.store.follow(from: last) }
                let events = try follower!.next(block: .milliseconds(500))
                if let l = events.last { last = l.streamID }
                handle(events)
            } catch {
                follower?.close()
                follower = nil
                context.logger.repeated(.warning, "event stream read failed; retrying", ["error": "\(error)"])
                Thread.sleep(forTimeInterval: 0.5)
            }
        }
        follower?.close()
    }

    func handle(_ events: [StreamEvent]) {
        var queued = false, freed = false
        // Attempts that left their worker, noted under one lock: (id, attempt, ended as).
        var gone: [(id: String, attempt: Int?, ended: ExecutionState?, job: String?)] = []
        var pausesChanged = false, dueSooner = false
        for e in events {
            // An operator paused or resumed a job type's dispatch (`jobs-paused`): read them again.
            if e.type == "pause-job" || e.type == "resume-job" { pausesChanged = true }
            guard let id = e.executionID, let st = e.state else { continue }
            let attempt = e[.attempt].flatMap { Int($0) }
            switch st {
            case .queued:
                // New, promoted, or handed back: work to take (this gateway's own new ones have
                // woken a dispatcher already). Only a hand-back ends an attempt.
                if e.kind == .requeued {
                    gone.append((id, attempt, nil, nil))
                    queued = true
                } else if !(e.kind == .created && context.wakeup.createdEventSeen(id)) {
                    queued = true
                }
            case .scheduled:
                // Nothing to take until the promoter queues it; only forget it was created here.
                if e.kind == .created { _ = context.wakeup.createdEventSeen(id) }
                dueSooner = true
            case .retrying:
                gone.append((id, attempt, nil, nil))
                freed = true
                dueSooner = true
            case .succeeded, .failed, .timedOut, .cancelled:
                gone.append((id, attempt, st, e[.job]))
                if let job = e[.job], st != .cancelled {
                    (st == .succeeded ? context.metrics.lastSuccess : context.metrics.lastFailure)
                        .labels(job).set(Double(e.millis) / 1000)
                }
                freed = true
            default:
                break
            }
        }
        var endedIDs: [String] = []
        if !gone.isEmpty {
            let workers = context.directory.noteGone(gone.map { ($0.id, $0.attempt) }, ended: true)
            for (g, worker) in zip(gone, workers) {
                guard let ended = g.ended else { continue }
                if worker != nil { context.metrics.outcomes.labels(g.job ?? "?", ended.rawValue).inc() }
                endedIDs.append(g.id)
            }
        }
        if pausesChanged { context.refreshPausedJobs() }
        if dueSooner { context.dueBell.ring() }
        if queued { context.wakeup.signal() } else if freed { context.wakeup.capacityFreed() }
        // Long polls on what ended get its record, read here in one round trip for all of them.
        let waited = context.waiters.waited(among: endedIDs)
        if !waited.isEmpty {
            let records = (try? context.store.getMany(waited)) ?? Array(repeating: nil, count: waited.count)
            for (id, rec) in zip(waited, records) { context.waiters.ended(id, record: rec) }
        }
    }
}
