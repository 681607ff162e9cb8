import HTTP
import Store

/// Why a dispatch was not run: the worker's one error type, mapped once to HTTP.
enum DispatchError: Error, Sendable, CustomStringConvertible {
    case refused(Refusal)
    /// The parameters do not fit the job type's declaration (422).
    case invalidParams(job: String, detail: String)
    /// The store refused the start: stale attempt, lost lease, wrong state, already running (409).
    case conflict(String)
    /// Redis did not answer (503).
    case unavailable(String)
    /// The start could not be written for a reason of this worker's own (500): a batch whose
    /// start failed as a whole, not a refusal of the attempt.
    case failed(String)

    var status: Int {
        switch self {
        case .refused(let r): return r.status
        case .invalidParams: return 422
        case .conflict: return 409
        case .unavailable: return 503
        case .failed: return 500
        }
    }

    var description: String {
        switch self {
        case .refused(let r): return r.detail
        case .invalidParams(let job, let detail): return "parameters refused by job type \"\(job)\": \(detail)"
        case .conflict(let s): return s
        case .unavailable(let s): return "Redis is unavailable, nothing was started: \(s)"
        case .failed(let s): return "the start could not be written, nothing was started: \(s)"
        }
    }

    var response: HTTPResponse {
        var r = HTTPResponse.problem(status: status, detail: description)
        if status == 429 || status == 503 { r.headers.set("Retry-After", "1") }
        return r
    }

    init(store error: StoreError) {
        if error.isUnavailable { self = .unavailable(error.description) } else { self = .conflict(error.description) }
    }
}
