import Redis

/// Errors of the store: every refusal of a script, and Redis being unreachable.
public enum StoreError: Error, Equatable, CustomStringConvertible {
    /// No execution with this id (it never existed or was trimmed by retention).
    case notFound(String)
    /// The transition is not allowed in the execution's current state.
    case wrongState(id: String, state: String, operation: String)
    /// The caller's attempt number is not the current one: a late write is fenced off.
    case staleAttempt(id: String, attempt: Int, current: Int)
    /// The caller no longer holds the lease for this attempt.
    case leaseLost(id: String, attempt: Int)
    /// The queue is over its bound.
    case queueFull(limit: Int)
    /// Redis could not be reached or answered with an error.
    case redis(RedisError)
    /// A script answered something this code does not understand.
    case unexpectedReply(String)
    /// A page cursor that no page gave out.
    case badCursor(String)
    /// The idempotency key names an execution made from another request.
    case idempotencyConflict(key: String, existing: String, state: String)
    /// A key of the schedulers' space (`schedule:<name>:<epoch-ms>`) that no scheduler
    /// claimed and bound to this request.
    case fireNotClaimed(key: String)
    /// A dispatch names another job type, other parameters or another timeout than the stored execution.
    case dispatchMismatch(id: String, field: String)

    public var description: String {
        switch self {
        case .notFound(let id): return "execution \(id) not found"
        case .wrongState(let id, let state, let op): return "execution \(id) is \(state): cannot \(op)"
        case .staleAttempt(let id, let attempt, let current):
            return "execution \(id): attempt \(attempt) is stale (current attempt is \(current))"
        case .leaseLost(let id, let attempt): return "execution \(id): the lease of attempt \(attempt) is lost"
        case .queueFull(let limit): return "the queue holds \(limit) executions or more; try again later"
        case .redis(let e):
            // A command the namespace's Redis user may not run (often TIME, inside every script).
            if e.description.contains("NOPERM") || e.description.contains("can't run this command") {
                return e.description + " (the namespace's Redis user may not run a command or reach a key the system needs; TIME, which every script calls, is the usual one missing; see REDIS ACL in batch.conf(5))"
            }
            return e.description
        case .unexpectedReply(let s): return "unexpected reply from a store script: \(s)"
        case .badCursor(let c): return "\"\(c)\" is not a page cursor (use the `next` of a previous page)"
        case .idempotencyConflict(let key, let existing, let state):
            return "idempotency key \"\(key)\" already names execution \(existing) (\(state)), made from a different request"
                + " (job type, parameters, priority, timeout, attempts or schedule differ); use a new key for a new request"
        case .dispatchMismatch(let id, let field):
            return "the dispatch of execution \(id) disagrees with the stored execution on \(field == "job" ? "its job type" : field == "params" ? "its parameters" : "its timeout"); nothing was started"
        case .fireNotClaimed(let key):
            return "idempotency key \"\(key)\" is in the schedulers' space (schedule:<name>:<epoch-ms>) and no scheduler"
                + " claimed that fire for this request; choose a key that does not start with \"schedule:\""
        }
    }

    /// Whether Redis itself is the problem (unreachable, timed out), as opposed to a refusal.
    public var isUnavailable: Bool {
        if case .redis(let e) = self {
            switch e {
            case .server: return false
            default: return true
            }
        }
        return false
    }

    /// Whether the operation certainly changed nothing: Redis was not reached, or refused the
    /// command unrun (`LOADING`). Repeating it is safe.
    public var neverRan: Bool {
        if case .redis(let e) = self { return e.neverRan }
        return false
    }

    /// Whether the operation was sent to Redis and no answer came: it may or may not have been applied.
    public var outcomeUnknown: Bool {
        if case .redis(let e) = self { return e.outcomeUnknown }
        return false
    }
}

@inline(__always)
func mapRedis<T>(_ body: () throws -> T) throws(StoreError) -> T {
    do { return try body() } catch let e as StoreError { throw e } catch let e as RedisError { throw .redis(e) } catch {
        throw .unexpectedReply("\(error)")
    }
}
