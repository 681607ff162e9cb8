import CSystem
import Foundation
@testable import Daemon

/// A datagram socket the test binds itself, standing in for systemd's notify socket.
final class NotifyListener: Sendable {
    let fd: Int32
    let environmentValue: String  // what NOTIFY_SOCKET would hold
    let directory: String?

    /// `abstract` binds `@batch-notify-<pid>-<random>`; otherwise a socket file in a fresh temp folder.
    init(abstract: Bool) throws {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw DaemonError.system(call: "socket", errno: errno) }
        var sa = sockaddr_un()
        sa.sun_family = sa_family_t(AF_UNIX)
        let offset = MemoryLayout<sockaddr_un>.offset(of: \.sun_path)!
        let name = "batch-notify-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        var bytes: [UInt8]
        var length: Int
        if abstract {
            bytes = [0] + Array(name.utf8)
            length = offset + bytes.count
            environmentValue = "@" + name
            directory = nil
        } else {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent(name).path
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let path = dir + "/notify"
            bytes = Array(path.utf8) + [0]
            length = offset + bytes.count
            environmentValue = path
            directory = dir
        }
        withUnsafeMutableBytes(of: &sa.sun_path) { buf in
            for (i, b) in bytes.enumerated() { buf[i] = b }
        }
        let rc = withUnsafePointer(to: &sa) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(length)) }
        }
        guard rc == 0 else {
            let e = errno
            close(fd)
            throw DaemonError.system(call: "bind \(environmentValue)", errno: e)
        }
        self.fd = fd
    }

    deinit {
        close(fd)
        if let directory { try? FileManager.default.removeItem(atPath: directory) }
    }

    /// The next datagram, or nil when none arrives within `timeoutMs`.
    func receive(timeoutMs: Int32 = 30000) -> String? {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, timeoutMs) == 1 else { return nil }
        var buf = [UInt8](repeating: 0, count: 4096)
        let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        return n < 0 ? nil : String(decoding: buf[0..<n], as: UTF8.self)
    }

    /// Waits on a thread of its own: a blocking poll on the cooperative pool would
    /// stall the very tasks that are to send the datagram.
    func next(timeoutMs: Int32 = 30000) async -> String? {
        await withCheckedContinuation { c in
            Thread.detachNewThread { c.resume(returning: self.receive(timeoutMs: timeoutMs)) }
        }
    }

    /// Everything already queued, without waiting.
    func drain() -> [String] {
        var out: [String] = []
        while let m = receive(timeoutMs: 0) { out.append(m) }
        return out
    }
}
