import BatchCore

/// Why the worker refuses a dispatch before anything runs.
enum Refusal: Error, Sendable, Hashable {
    /// Stopping: the worker takes no new work (503).
    case draining
    /// Starting: the attempts an earlier run of this worker id held are being handed back (429).
    case starting
    /// Not a job type this worker serves (404).
    case unknownJob(String)
    /// Every slot, or every slot of this job type, is taken (429).
    case full(running: Int, slots: Int)
    case jobFull(job: String, running: Int, limit: Int)
    /// This execution already runs here (409).
    case alreadyHere(id: String, attempt: Int)

    var status: Int {
        switch self {
        case .draining: return 503
        case .unknownJob: return 404
        case .full, .jobFull, .starting: return 429
        case .alreadyHere: return 409
        }
    }

    var detail: String {
        switch self {
        case .draining: return "this worker is stopping and takes no new work; dispatch to another worker"
        case .starting: return "this worker is starting (handing back what an earlier run of it held); try another worker or in a moment"
        case .unknownJob(let j): return "this worker does not serve job type \"\(j)\"; check [worker] job-types and the [job] sections"
        case .full(let r, let s): return "all \(s) slots are taken (\(r) running); try another worker or later"
        case .jobFull(let j, let r, let l): return "job type \"\(j)\" runs \(r) of its concurrency \(l) here; try another worker or later"
        case .alreadyHere(let id, let a): return "execution \(id) already runs here (attempt \(a))"
        }
    }
}

/// The worker's slots: a total, and per job type its `concurrency` (0: only
/// the total applies). Pure bookkeeping; the caller holds the lock.
struct Capacity: Sendable {
    let slots: Int
    private(set) var running = 0
    private(set) var byJob: [String: Int] = [:]

    init(slots: Int) { self.slots = max(1, slots) }

    /// Takes a slot for `job`, or says why not.
    mutating func take(_ job: JobType) -> Refusal? {
        if running >= slots { return .full(running: running, slots: slots) }
        let n = byJob[job.name, default: 0]
        if job.concurrency > 0 && n >= job.concurrency { return .jobFull(job: job.name, running: n, limit: job.concurrency) }
        running += 1
        byJob[job.name] = n + 1
        return nil
    }

    mutating func release(_ job: String) {
        guard let n = byJob[job], n > 0 else { preconditionFailure("released a slot of \(job) that was not taken") }
        running -= 1
        byJob[job] = n == 1 ? nil : n - 1
    }

    var free: Int { slots - running }
}
