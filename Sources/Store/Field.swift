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
    /// The unique lock this execution holds while it is active (`Keys.unique`).
    case uniqueKey = "unique"
    case worker, gateway
    /// Times in ms, from Redis.
    case created, updated, queued, dispatched, started, ended, finished
    /// A `scheduled` execution's due time (ms, Redis time); kept once it is queued.
    case due
    case exitCode = "exit_code"
    case signal, result, reason, error, progress
    /// JSON list of `AttemptRecord`, kept once there is more than one attempt.
    case history
    case dispatchFailures = "dispatch_failures"
    /// Started attempts whose worker was lost (poison counting).
    case lost
    case cancelledBy = "cancelled_by"
}

extension Dictionary where Key == String, Value == String {
    /// A field of an execution hash read into a dictionary.
    subscript(_ field: Field) -> String? { self[field.rawValue] }
}
