/// Everything that can go wrong talking to Redis; each payload says what failed and where.
public enum RedisError: Error, CustomStringConvertible, Equatable {
    /// The URL could not be parsed; the payload says which part and why.
    case invalidURL(String)
    /// No connection could be made (refused, no route, DNS, Sentinel knows no master).
    case unreachable(String)
    /// The connection broke while a command was in flight; the command may or may not have run.
    case io(String)
    /// No reply within the read timeout; the connection was discarded.
    case timeout(String)
    /// Redis answered with an error reply (the message as Redis sent it, e.g. `ERR ...`, `NOSCRIPT ...`).
    case server(String)
    /// AUTH was refused.
    case authFailed(String)
    /// The reply could not be parsed, or had an unexpected shape.
    case protocolError(String)
    /// The connection or client was closed by its owner.
    case closed

    public var description: String {
        switch self {
        case .invalidURL(let m): return "invalid redis URL: \(m)"
        case .unreachable(let m): return "redis unreachable: \(m)"
        case .io(let m): return "redis connection lost: \(m)"
        case .timeout(let m): return "redis timeout: \(m)"
        case .server(let m): return "redis error reply: \(m)"
        case .authFailed(let m): return "redis authentication failed: \(m)"
        case .protocolError(let m): return "redis protocol error: \(m)"
        case .closed: return "redis connection was closed by its owner; open a new one"
        }
    }

    /// True for failures that happened before any command was written, so repeating is safe.
    public var isConnectFailure: Bool {
        if case .unreachable = self { return true }
        return false
    }
}
