/// A field of the `exec:<id>` hash: the one spelling of it, used by
/// `ExecutionRecord` to read the hash and by the scripts to write it (`F.<case>`
/// in Lua becomes the quoted raw value when the script is built, see `Lua.script`).
public enum Field: String, CaseIterable, Sendable {
    case id, job, state, attempt, runs, priority
    case maxAttempts = "max_attempts"
    /// The attempt timeout in seconds.
    case timeout
    /// The trigger: `source`, `schedule`, `fire_time`, `user`, `retry_of`.
    case source, schedule
    case fireTime = "fire_time"
    case user
    case retryOf = "retry_of"
    case params
    case idempotencyKey = "idem"
    /// The request fingerprint bound to the idempotency key.
    case requestHash = "req_hash"
    case worker, gateway
    /// Times in ms, from Redis.
    case created, updated, queued, dispatched, started, ended, finished
    case exitCode = "exit_code"
    case signal, result, reason, error, progress
    /// JSON list of `AttemptRecord`, kept once there is more than one attempt.
    case history
    case dispatchFailures = "dispatch_failures"
    /// Started attempts whose worker was lost (poison counting).
    case lost
    case cancelledBy = "cancelled_by"
}

/// The kind (`type`) of an entry of the `events` stream: what happened to an execution.
/// Entries that end up in a state of the same name carry that state's name.
public enum EventKind: String, CaseIterable, Sendable {
    /// A new execution was queued.
    case created
    /// A retry's backoff ended and it was queued again.
    case queued
    /// An attempt was handed back to the front of its queue without counting.
    case requeued
    case dispatched, running, retrying, cancelling, succeeded, failed
    case timedOut = "timed_out"
    case cancelled
}

/// A field of an entry of the `events` or `audit` stream (Lua: `EF.<case>`).
public enum EventField: String, CaseIterable, Sendable {
    /// The event kind (`EventKind`), in `events`.
    case type
    /// The operator action, in `audit`.
    case action
    case id, state, job, attempt, reason, worker, user, source
}

/// A script's refusal: the first element of its reply (Lua: `C.<case>`), the rest
/// of the reply saying more where noted.
enum Refusal: Int64, CaseIterable, Sendable {
    /// No such execution.
    case notFound = -404
    /// Not the current attempt; then the current attempt number.
    case staleAttempt = -409
    /// The lease is expired, or another worker holds the attempt.
    case leaseLost = -410
    /// Not allowed in this state; then the state.
    case wrongState = -1
    /// A start whose dispatch disagrees with the stored execution; then the field.
    case dispatchMismatch = -422
    /// The queue is over its limit.
    case queueFull = -2
    /// The idempotency key names an execution of another request; then its id, the key, its state.
    case idempotencyConflict = -3
    /// A `schedule:<name>:<ms>` key whose fire no scheduler bound to this request; then the key.
    case fireNotClaimed = -4
}

extension Dictionary where Key == String, Value == String {
    /// A field of an execution hash read into a dictionary.
    subscript(_ field: Field) -> String? { self[field.rawValue] }
}
