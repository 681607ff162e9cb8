import BatchCore
import FoundationEssentials
import Store

/// How one attempt's job ended, whatever its kind: a process, a builtin or an HTTP call.
enum JobOutcome: Sendable, Hashable {
    case exited(Int32)
    case signaled(Int32)
    case timedOut
    case cancelled
    case spawnError(String)
    /// The HTTP call answered; 2xx is success.
    case httpStatus(Int)
    /// The HTTP call got no answer (connection refused, timeout...).
    case httpError(String)

    /// The state the execution's status field shows for it (`BatchResult.status`).
    var status: ExecutionState {
        switch self {
        case .exited(0): return .succeeded
        case .httpStatus(let s) where (200..<300).contains(s): return .succeeded
        case .timedOut: return .timedOut
        case .cancelled: return .cancelled
        default: return .failed
        }
    }

    /// The outcome of a finished process; a cancel asked by the worker and the
    /// runner's own causes win over the exit status they led to.
    init(_ outcome: ProcessOutcome) {
        switch outcome.cause {
        case .timedOut: self = .timedOut
        case .cancelled: self = .cancelled
        case .natural:
            switch outcome.status {
            case .exited(let code): self = .exited(code)
            case .signaled(let sig): self = .signaled(sig)
            }
        }
    }

    /// The attempt's end as the store records it. Whether a failure may be
    /// retried follows the job type: `max-attempts` above one, and
    /// `retry-on-exit` empty or naming the exit code; timeouts, cancels and
    /// spawn errors are never retried (the store also checks the attempts left).
    func attemptEnd(job: JobType, attempt: Int, result: String?,
                    random: inout some RandomNumberGenerator) -> AttemptEnd {
        var end = AttemptEnd(outcome: status, result: result)
        var retryable = false
        switch self {
        case .exited(let code):
            end.exitCode = Int(code)
            if code != 0 {
                end.reason = .exitCode
                retryable = job.maxAttempts > 1 && (job.retryOnExit.isEmpty || job.retryOnExit.contains(Int(code)))
            }
        case .signaled(let sig):
            end.reason = .signal
            end.signal = Int(sig)
            retryable = job.maxAttempts > 1 && job.retryOnExit.isEmpty
        case .timedOut, .cancelled:
            break
        case .spawnError(let text):
            end.reason = .spawnError
            end.error = text
        case .httpStatus(let s):
            if status == .failed {
                end.reason = .httpStatus
                end.error = "HTTP status \(s) from \(job.url ?? "the job's url")"
                retryable = job.maxAttempts > 1 && job.retryOnExit.isEmpty
            }
        case .httpError(let text):
            end.reason = .httpError
            end.error = text
            retryable = job.maxAttempts > 1 && job.retryOnExit.isEmpty
        }
        end.retryable = retryable
        if retryable {
            end.backoffMillis = Int(job.retryBackoff.delay(attempt: max(0, attempt - 1), random: &random).inMilliseconds)
        }
        return end
    }
}
