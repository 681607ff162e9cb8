/// What a client tells its owner about each call, for metrics: how long it took and how it
/// failed. Redis knows nothing of metrics; the daemon turns these into its metric families.
///
/// Called on the calling thread after every `send`, `pipeline`, `eval`, `evalMany` and
/// `withConnection`; it must be quick and must not call the client.
public typealias RedisCallObserver = @Sendable (_ duration: Duration, _ error: RedisError?) -> Void

extension RedisError {
    /// A short, stable name of the kind of failure, for a metric label.
    public var kind: String {
        switch self {
        case .invalidURL: return "invalid_url"
        case .unreachable: return "unreachable"
        case .notSent: return "not_sent"
        case .io: return "io"
        case .timeout: return "timeout"
        case .loading: return "loading"
        case .server: return "error_reply"
        case .authFailed: return "auth_failed"
        case .protocolError: return "protocol"
        case .closed: return "closed"
        }
    }

    /// Every kind, so a metric can show each one from the start (at 0).
    public static let kinds = ["invalid_url", "unreachable", "not_sent", "io", "timeout", "loading",
                               "error_reply", "auth_failed", "protocol", "closed"]
}
