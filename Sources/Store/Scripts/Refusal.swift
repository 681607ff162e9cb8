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
