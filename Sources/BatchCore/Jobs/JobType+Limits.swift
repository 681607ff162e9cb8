/// Why a request's `timeoutSeconds` or `maxAttempts` does not fit its job type.
public struct RequestLimitError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The request field: `timeoutSeconds` or `maxAttempts`.
    public var field: String
    public var message: String
    public var description: String { message }
}

extension JobType {
    /// The longest timeout a request may ask for, in whole seconds: `max-timeout`, else `timeout`.
    public var timeoutCeilingSeconds: Int { Int(max(maxTimeoutMs ?? timeoutMs, timeoutMs) / 1000) }

    /// The timeout and attempts an execution gets: the job type's own when the request
    /// leaves them out; a request may lower them, never raise them (the timeout up to
    /// `max-timeout` when one is declared). A request that asks for more is refused,
    /// not clamped: its sender would otherwise believe it got what it asked for.
    public func limits(timeoutSeconds: Int?, maxAttempts: Int?) -> Result<(timeoutSeconds: Int, maxAttempts: Int), RequestLimitError> {
        let ceiling = timeoutCeilingSeconds
        let timeout = timeoutSeconds ?? max(1, Int(timeoutMs / 1000))
        if timeout < 1 {
            return .failure(.init(field: "timeoutSeconds", message: "timeoutSeconds must be at least 1, not \(timeout)"))
        }
        if timeout > ceiling {
            let why = maxTimeoutMs != nil ? "its max-timeout" : "its timeout; the operator may declare max-timeout to allow more"
            return .failure(.init(field: "timeoutSeconds",
                                  message: "timeoutSeconds \(timeout) is above the \(ceiling) s job type \"\(name)\" allows (\(why)); a request may lower it, not raise it"))
        }
        let attempts = maxAttempts ?? self.maxAttempts
        if attempts < 1 {
            return .failure(.init(field: "maxAttempts", message: "maxAttempts must be at least 1, not \(attempts)"))
        }
        if attempts > self.maxAttempts {
            return .failure(.init(field: "maxAttempts",
                                  message: "maxAttempts \(attempts) is above the \(self.maxAttempts) job type \"\(name)\" declares (max-attempts); a request may lower it, not raise it"))
        }
        return .success((timeout, attempts))
    }
}
