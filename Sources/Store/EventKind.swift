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
