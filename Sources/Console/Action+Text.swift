import BatchCore
import Resilience

// The words the console uses for its actions: in the confirmation, on the status line
// while an action runs, and in an error.

extension BreakerOverride {
    /// What it does, for an error: `force the breaker of w2 open`.
    func verb(worker: String) -> String {
        switch self {
        case .forceOpen: return "force the breaker of \(worker) open"
        case .forceClose: return "force the breaker of \(worker) closed"
        case .reset: return "reset the breaker of \(worker)"
        }
    }

    /// The status line while it is written: `forcing open the breaker of w2…`.
    var doing: String {
        switch self {
        case .forceOpen: return "forcing open"
        case .forceClose: return "forcing closed"
        case .reset: return "resetting"
        }
    }

    func question(worker: String) -> String {
        switch self {
        case .forceOpen: return "Force the breaker of worker \(worker) open on every gateway?"
        case .forceClose: return "Force the breaker of worker \(worker) closed on every gateway?"
        case .reset: return "Reset the breaker of worker \(worker) to automatic on every gateway?"
        }
    }
}

extension ConsoleAction {
    /// What it does, for an error: `cancel 01K…`, `force the breaker of w2 open`.
    var verb: String {
        switch self {
        case .trigger(let job, _, _): return "trigger \(job)"
        case .cancel(let id): return "cancel \(id)"
        case .retry(let id): return "retry \(id)"
        case .cancelTagged(let ids): return "cancel \(ids.count) executions"
        case .retryTagged(let ids): return "retry \(ids.count) executions"
        case .openExecution(let id): return "open \(id)"
        case .openLog(let id): return "read the output of \(id)"
        case .loadJobTypes: return "loading job types"
        case .breaker(let worker, let o): return o.verb(worker: worker)
        case .pauseSchedule(let name, let paused): return "\(paused ? "pause" : "resume") schedule \(name)"
        case .triggerSchedule(let name): return "run schedule \(name) now"
        }
    }

    /// The status line while a confirmed action runs; nil for those that say nothing until done.
    var doing: String? {
        switch self {
        case .retry(let id): return "retrying \(id)…"
        case .cancelTagged(let ids): return "cancelling \(ids.count) executions…"
        case .retryTagged(let ids): return "retrying \(ids.count) executions…"
        case .breaker(let w, let o): return "\(o.doing) the breaker of \(w)…"
        case .pauseSchedule(let name, let paused): return "\(paused ? "pausing" : "resuming") schedule \(name)…"
        case .triggerSchedule(let name): return "running schedule \(name)'s job…"
        case .trigger, .cancel, .openExecution, .openLog, .loadJobTypes: return nil
        }
    }
}
