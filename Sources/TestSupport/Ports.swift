import CSystem
import Glibc
import Synchronization

private let handedOut = Mutex<Set<Int>>([])

/// A TCP port on 127.0.0.1 that was free a moment ago, for a server a test starts.
///
/// Taken below the kernel's ephemeral range (32768 and up on Linux): a port from that
/// range can be taken at any moment as the local end of some outgoing connection (a
/// test's Redis clients make many), after which a server cannot bind it. Each port is
/// handed out once per test process, and only when a bind to it succeeds now.
public func freeTCPPort() -> Int {
    while true {
        let port = Int.random(in: 21_000...32_000)
        let fresh = handedOut.withLock { $0.insert(port).inserted }
        if fresh && canBind(port) { return port }
    }
}

private func canBind(_ port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    precondition(fd >= 0, "socket() failed: errno \(errno)")
    defer { Glibc.close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = in_port_t(UInt16(port)).bigEndian
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    return withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    } == 0
}
