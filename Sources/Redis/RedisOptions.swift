/// Tuning of connections and of the client's pool and reconnect policy.
public struct RedisOptions: Sendable {
    /// Time allowed to open one connection, and the total time a client spends retrying to connect.
    public var connectTimeout: Duration = .seconds(2)
    /// Time allowed for one reply (a dedicated connection can lift it with `setReadTimeout(nil)`).
    public var readTimeout: Duration = .seconds(5)
    /// Connections a `RedisClient` keeps at most.
    public var poolSize: Int = 8
    /// Ceiling of the jittered reconnect backoff.
    public var maxBackoff: Duration = .milliseconds(250)
    /// After a full retry cycle failed, calls within this window try once and fail at once
    /// (so callers answer "unavailable" immediately while Redis is down).
    public var failFastWindow: Duration = .milliseconds(500)
    /// While Redis is known to be down, how often the client's probe tries again after a `PING`
    /// that failed at once (a refused connection, `LOADING`).
    public var probeInterval: Duration = .milliseconds(250)

    public init() {}
}
