import FoundationEssentials
import Glibc

/// What went wrong in the daemon runtime: starting or running services,
/// talking to systemd, or reading process facts.
public enum DaemonError: Error, Sendable, CustomStringConvertible {
    /// A service's `start()` threw; the group stopped the services already started.
    case startFailed(service: String, underlying: String)
    /// A service's `run()` threw while the group was running.
    case serviceFailed(service: String, underlying: String)
    /// A service's `run()` returned although nobody asked it to stop.
    case serviceExited(service: String)
    /// Services that had not finished when the drain deadline passed.
    case drainDeadlineExceeded(services: [String], deadline: Duration)
    /// A second stop signal arrived during the drain; the group gave up waiting.
    case forcedStop(pending: [String])
    /// `NOTIFY_SOCKET` holds something that is not a usable socket address.
    case invalidNotifySocket(String, reason: String)
    /// A system call failed (`errno` and its text).
    case system(call: String, errno: Int32)

    public var description: String {
        switch self {
        case .startFailed(let s, let e):
            return "service \(s) failed to start: \(e)"
        case .serviceFailed(let s, let e):
            return "service \(s) failed: \(e)"
        case .serviceExited(let s):
            return "service \(s) stopped by itself although no stop was requested; check its log lines above"
        case .drainDeadlineExceeded(let names, let d):
            return "services still running after the drain deadline of \(d): \(names.joined(separator: ", ")); raise the drain timeout or find what they wait for"
        case .forcedStop(let names):
            return "stopped at once by a second signal; services not drained: \(names.joined(separator: ", "))"
        case .invalidNotifySocket(let v, let reason):
            return "NOTIFY_SOCKET=\(v) is unusable: \(reason)"
        case .system(let call, let e):
            return "\(call) failed: \(String(cString: strerror(e))) (errno \(e))"
        }
    }
}
