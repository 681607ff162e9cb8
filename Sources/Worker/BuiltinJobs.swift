import BatchCore
import Dispatch
import FoundationEssentials
import Synchronization

/// A job that runs without a process (a builtin or an HTTP call): it ends
/// exactly once, by itself, by its timeout or by `stop`.
final class InProcessJob: JobHandle {
    /// Taken out by the first end, so that timers still holding the job do not
    /// keep the attempt (and its output) alive.
    private let onEnd: Mutex<(@Sendable (JobOutcome, String?) -> Void)?>

    init(onEnd: @escaping @Sendable (JobOutcome, String?) -> Void) { self.onEnd = Mutex(onEnd) }

    /// Ends the job unless it has already ended; returns whether this call did.
    @discardableResult
    func end(_ outcome: JobOutcome, result: String? = nil) -> Bool {
        guard let f = onEnd.withLock({ f in defer { f = nil }; return f }) else { return false }
        f(outcome, result)
        return true
    }

    func stop(grace: Duration) { end(.cancelled) }
}

/// The builtin jobs (`noop`, `sleep`, `fail`, `echo`), run on a timer queue
/// instead of a process, through the same slots, leases and end path.
struct BuiltinJobs: Sendable {
    let queue = DispatchQueue(label: "batch.worker.builtins")

    /// Starts `builtin`; `output` receives its lines, `job.end` its outcome.
    func start(_ builtin: BuiltinJob, params: [String: String], timeout: Duration, job: InProcessJob,
               output: @escaping @Sendable ([String]) -> Void) {
        switch builtin {
        case .noop:
            job.end(.exited(0))
        case .fail:
            let code = Int32(params["code"].flatMap { Int($0) }.map { min(255, max(1, $0)) } ?? 1)
            job.end(.exited(code))
        case .echo:
            let sorted = params.sorted { $0.key < $1.key }
            output(sorted.map { "\($0.key)=\($0.value)" })
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let result = (try? encoder.encode(params)).map { String(decoding: $0, as: UTF8.self) }
            job.end(.exited(0), result: result)
        case .sleep:
            let seconds = params["seconds"].flatMap { Double($0) }.map { max(0, $0) } ?? 1
            let wanted = Duration.milliseconds(Int64(min(seconds, 1e9) * 1000))
            if wanted <= timeout {
                queue.asyncAfter(deadline: .now() + .milliseconds(Int(wanted.inMilliseconds))) { job.end(.exited(0)) }
            } else {
                queue.asyncAfter(deadline: .now() + .milliseconds(Int(timeout.inMilliseconds))) { job.end(.timedOut) }
            }
        }
    }
}
