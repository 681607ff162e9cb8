import BatchCore
import FoundationEssentials
import Redis
#if canImport(Glibc)
import Glibc
#endif

/// What makes a daemon refuse to start, found before it starts: the same checks run for
/// `--check-config` and at start, so a configuration that passes the check starts.
enum StartupCheck {
    /// A problem, and whether it is the configuration's (exit 78, not worth a restart).
    struct Problem: Sendable {
        var message: String
        var isConfig = true
    }

    /// Every problem with `config` for this daemon; `checkOnly` when run by `--check-config`
    /// (an address in use is then likely this very daemon running, and not an error).
    static func problems(_ d: DaemonDescription, _ config: Configuration, listen: HostPort,
                         checkOnly: Bool) -> (problems: [Problem], notes: [String]) {
        var out: [Problem] = []
        var notes: [String] = []
        do {
            _ = try RedisURL(parsing: config.redis.url, passwordFile: config.redis.passwordFile)
        } catch let e as RedisURLError {
            out.append(Problem(message: "\(e)"))
        } catch {
            out.append(Problem(message: "redis.url \(Secrets.redactedURL(config.redis.url)): \(error)"))
        }
        do {
            if let w = try DaemonContext.checkTokenFile(config.http.tokenFile) { notes.append("warning: " + w) }
        } catch {
            out.append(Problem(message: "\(error)"))
        }
        out += (d.checkConfiguration?(config) ?? []).map { Problem(message: $0) }
        switch probeBind(listen) {
        case .ok: break
        case .inUse(let why):
            if checkOnly { notes.append("note: \(d.role).listen \(listen) is in use now (\(why)); fine if this daemon is what holds it") }
            else { out.append(Problem(message: "cannot listen on \(listen): \(why); another process holds it (choose another --listen address or stop that process)", isConfig: false)) }
        case .refused(let why):
            out.append(Problem(message: "cannot listen on \(listen) (\(d.role).listen): \(why)"))
        }
        return (out, notes)
    }

    enum BindResult { case ok, inUse(String), refused(String) }

    /// Binds a socket to `address` and closes it again: finds a port below 1024 without the
    /// privilege, an address this host does not have, or one in use.
    static func probeBind(_ address: HostPort) -> BindResult {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(address.port).bigEndian
        guard inet_pton(AF_INET, address.host, &addr.sin_addr) == 1 else {
            return .refused("\(address.host) is not an IPv4 address")
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return .ok }  // out of descriptors: nothing to say about the address
        defer { close(fd) }
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if rc == 0 { return .ok }
        let e = errno
        let text = String(cString: strerror(e))
        switch e {
        case EADDRINUSE: return .inUse(text)
        case EACCES:
            return .refused("\(text): ports below 1024 need the CAP_NET_BIND_SERVICE capability; use a port of 1024 or more")
        case EADDRNOTAVAIL: return .refused("\(text): this host has no such address")
        default: return .refused(text)
        }
    }
}
