/// Everything that can go wrong talking to Redis; each payload says what failed and where.
///
/// What a failure means for the command matters to callers that promise "nothing was changed":
/// `neverRan` failures are certain the command had no effect (it never left, or Redis refused it
/// before running it); `outcomeUnknown` failures are not (it was sent, even partly, and no reply came).
public enum RedisError: Error, CustomStringConvertible, Equatable {
    /// The URL could not be parsed; the payload says which part and why.
    case invalidURL(String)
    /// No connection could be made (refused, no route, DNS, Sentinel knows no master), or Redis
    /// is known to be down and the command was not sent. Nothing was sent.
    case unreachable(String)
    /// Connected, but the write failed before any byte of the command went out. Nothing was sent.
    case notSent(String)
    /// The connection broke after (part of) the command was written; it may or may not have run.
    case io(String)
    /// The command was written and no reply came within the read timeout; it may or may not have
    /// run (Redis may run it later, from its socket buffer). The connection was discarded.
    case timeout(String)
    /// Redis is loading its data set (`LOADING`, after a restart): it refused the command unrun.
    case loading(String)
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
        case .notSent(let m): return "redis command not sent: \(m)"
        case .io(let m): return "redis connection lost: \(m)"
        case .timeout(let m): return "redis timeout: \(m)"
        case .loading(let m): return "redis is loading its data set: \(m)"
        case .server(let m): return "redis error reply: \(m)"
        case .authFailed(let m): return "redis authentication failed: \(m)"
        case .protocolError(let m): return "redis protocol error: \(m)"
        case .closed: return "redis connection was closed by its owner; open a new one"
        }
    }

    /// The error for an error reply: `LOADING` (refused unrun while Redis loads its data) apart from the rest.
    public init(reply message: String) {
        self = message.hasPrefix("LOADING") ? .loading(message) : .server(message)
    }

    /// True for failures that happened before any command was written, so repeating is safe.
    public var isConnectFailure: Bool {
        if case .unreachable = self { return true }
        return false
    }

    /// True when the command certainly had no effect: it never left this process, or Redis
    /// refused it before running it (`LOADING`, failed AUTH). Repeating it is safe.
    public var neverRan: Bool {
        switch self {
        case .invalidURL, .unreachable, .notSent, .loading, .authFailed, .closed: return true
        case .io, .timeout, .server, .protocolError: return false
        }
    }

    /// True when the command was sent, even partly, and no answer came: it may or may not have run.
    public var outcomeUnknown: Bool {
        switch self {
        case .io, .timeout, .protocolError: return true
        case .invalidURL, .unreachable, .notSent, .loading, .authFailed, .closed, .server: return false
        }
    }

    /// True when the failure says Redis itself is not serving (as opposed to an answer, even an
    /// error reply, or a mistake of the caller): what the health tracker counts. A write that
    /// failed before any byte went out, or a pool whose connections are all busy, says only that
    /// one connection broke or that callers hold them long: the next call finds out.
    var marksRedisDown: Bool {
        switch self {
        case .unreachable, .io, .timeout, .loading, .authFailed: return true
        case .invalidURL, .notSent, .server, .protocolError, .closed: return false
        }
    }
}
