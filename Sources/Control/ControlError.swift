import BatchCore
import HTTP
import Redis
import Store

/// Everything `batchctl` can fail with, each with its exit status (DESIGN.md §11)
/// and a one-line message that says what to do.
enum ControlError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The command line is wrong: exit 2.
    case usage(UsageError)
    /// The operation was refused or failed (unknown id, bad parameters, the job did not succeed): exit 1.
    case failed(String)
    /// Nothing to talk to (Redis or the gateway unreachable): exit 69 (sysexits' EX_UNAVAILABLE).
    case unavailable(String)
    /// The configuration (file, environment or flags) cannot be used: exit 2, as for
    /// usage, since the fix is in how batchctl was started.
    case config(String)

    var exitStatus: Int32 {
        switch self {
        case .usage, .config: return 2
        case .failed: return 1
        case .unavailable: return 69
        }
    }

    var description: String {
        switch self {
        case .usage(let u): return u.description
        case .failed(let m), .unavailable(let m), .config(let m): return "batchctl: " + m
        }
    }

    /// A store error, mapped once: Redis down is 69, any refusal is 1.
    static func from(_ e: StoreError, redisURL: String) -> ControlError {
        if e.isUnavailable {
            return .unavailable("cannot reach Redis at \(ControlContext.redacted(redisURL)) (\(e)); start redis-server or pass --redis URL")
        }
        if case .redis(.authFailed) = e {
            return .unavailable("Redis at \(ControlContext.redacted(redisURL)) refused the password (\(e)); check the password in --redis URL")
        }
        return .failed(e.description)
    }

    /// Runs a store call, mapping its error.
    static func store<T>(_ redisURL: String, _ body: () throws(StoreError) -> T) throws(ControlError) -> T {
        do { return try body() } catch { throw from(error, redisURL: redisURL) }
    }
}
