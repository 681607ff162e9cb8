import CSystem
import FoundationEssentials
#if canImport(Glibc)
import Glibc
import Platform
#endif

/// The systemd notify protocol (sd_notify(3)) written by hand: datagrams such
/// as `READY=1` to the socket named by `$NOTIFY_SOCKET`. Every call is a
/// no-op when that variable is unset, so a daemon runs the same with or
/// without systemd.
public struct SystemdNotifier: Sendable {
    /// Where the notifications go.
    public enum Address: Sendable, Equatable {
        /// A socket file.
        case path(String)
        /// A Linux abstract socket (`@name` in `$NOTIFY_SOCKET`), without the leading `@`.
        case abstract(String)
    }

    /// nil when there is no systemd to tell.
    public let address: Address?
    /// The watchdog timeout systemd enforces (`WATCHDOG_USEC`); nil when there
    /// is none or it is meant for another process (`WATCHDOG_PID`).
    public let watchdogTimeout: Duration?

    public init(address: Address?, watchdogTimeout: Duration? = nil) {
        self.address = address
        self.watchdogTimeout = watchdogTimeout
    }

    /// Reads `NOTIFY_SOCKET`, `WATCHDOG_USEC` and `WATCHDOG_PID`. A
    /// `NOTIFY_SOCKET` that is neither an absolute path nor `@name` is refused.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment,
                pid: Int32 = getpid()) throws(DaemonError) {
        var address: Address? = nil
        if let raw = environment["NOTIFY_SOCKET"], !raw.isEmpty {
            address = try SystemdNotifier.parseAddress(raw)
        }
        var timeout: Duration? = nil
        if let usec = environment["WATCHDOG_USEC"].flatMap({ UInt64($0) }), usec > 0 {
            let forUs = environment["WATCHDOG_PID"].map { Int32($0) == pid } ?? true
            if forUs { timeout = .microseconds(Int64(clamping: usec)) }
        }
        self.init(address: address, watchdogTimeout: timeout)
    }

    static func parseAddress(_ raw: String) throws(DaemonError) -> Address {
        let maxPath = MemoryLayout.size(ofValue: sockaddr_un().sun_path)
        if raw.hasPrefix("@") {
            let name = String(raw.dropFirst())
            guard !name.isEmpty, name.utf8.count < maxPath else {
                throw .invalidNotifySocket(raw, reason: "an abstract name must be 1 to \(maxPath - 1) bytes")
            }
            return .abstract(name)
        }
        guard raw.hasPrefix("/") else {
            throw .invalidNotifySocket(raw, reason: "expected an absolute path or @name")
        }
        guard raw.utf8.count < maxPath else {
            throw .invalidNotifySocket(raw, reason: "a socket path must be shorter than \(maxPath) bytes")
        }
        return .path(raw)
    }

    public var isEnabled: Bool { address != nil }

    /// How often to send `WATCHDOG=1`: half the timeout, as sd_watchdog_enabled(3) advises.
    public var watchdogInterval: Duration? { watchdogTimeout.map { $0 / 2 } }

    /// Sends one notification: newline-separated `KEY=VALUE` assignments.
    /// Never blocks: a full systemd queue is reported, not waited out.
    public func send(_ state: String) throws(DaemonError) {
        guard let address else { return }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .system(call: "socket(AF_UNIX, SOCK_DGRAM)", errno: errno) }
        defer { Glibc.close(fd) }
        var sa = sockaddr_un()
        sa.sun_family = sa_family_t(AF_UNIX)
        let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \.sun_path)!
        let nameBytes: [UInt8]
        let length: Int
        switch address {
        case .path(let p):
            nameBytes = Array(p.utf8)
            length = pathOffset + nameBytes.count + 1  // with the terminating NUL
        case .abstract(let n):
            // The leading NUL marks the abstract namespace; the length, not a NUL, ends the name.
            nameBytes = [0] + Array(n.utf8)
            length = pathOffset + nameBytes.count
        }
        withUnsafeMutableBytes(of: &sa.sun_path) { buf in
            for (i, b) in nameBytes.enumerated() { buf[i] = b }
        }
        let bytes = Array(state.utf8)
        let sent = withUnsafePointer(to: &sa) { sap in
            sap.withMemoryRebound(to: sockaddr.self, capacity: 1) { addr in
                bytes.withUnsafeBytes { b in
                    sendto(fd, b.baseAddress, b.count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT),
                           addr, socklen_t(length))
                }
            }
        }
        guard sent >= 0 else { throw .system(call: "sendto \(SystemdNotifier.describe(address))", errno: errno) }
    }

    static func describe(_ a: Address) -> String {
        switch a {
        case .path(let p): return p
        case .abstract(let n): return "@" + n
        }
    }

    /// `READY=1`, with `MAINPID` (so systemd knows us even when started
    /// through a wrapper) and an optional `STATUS`.
    public func ready(status: String? = nil, pid: Int32 = getpid()) throws(DaemonError) {
        var s = "READY=1\nMAINPID=\(pid)"
        if let status { s += "\nSTATUS=\(SystemdNotifier.oneLine(status))" }
        try send(s)
    }

    /// A free-form line systemctl status shows.
    public func status(_ text: String) throws(DaemonError) {
        try send("STATUS=\(SystemdNotifier.oneLine(text))")
    }

    /// Tells systemd the daemon is alive (resets the watchdog timer).
    public func watchdog() throws(DaemonError) { try send("WATCHDOG=1") }

    /// Tells systemd a graceful stop has begun.
    public func stopping(status: String? = nil) throws(DaemonError) {
        var s = "STOPPING=1"
        if let status { s += "\nSTATUS=\(SystemdNotifier.oneLine(status))" }
        try send(s)
    }

    /// `RELOADING=1` with the monotonic time `Type=notify-reload` asks for; send `ready()` when done.
    public func reloading() throws(DaemonError) {
        let usec = monotonicNanos() / 1000
        try send("RELOADING=1\nMONOTONIC_USEC=\(usec)")
    }

    public func mainPID(_ pid: Int32) throws(DaemonError) { try send("MAINPID=\(pid)") }

    /// Removes the notify variables so child processes (jobs) cannot talk to
    /// systemd on the daemon's behalf. Call once at start, before threads spawn children.
    public static func unsetEnvironment() {
        unsetenv("NOTIFY_SOCKET")
        unsetenv("WATCHDOG_USEC")
        unsetenv("WATCHDOG_PID")
    }

    /// A newline would start a new assignment.
    static func oneLine(_ s: String) -> String {
        // By scalar: "\r\n" is one Character, and its "\n" must go too.
        String(String.UnicodeScalarView(s.unicodeScalars.map { $0 == "\n" ? " " : $0 }))
    }
}
