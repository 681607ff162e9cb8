import FoundationEssentials
import Glibc

/// An attempt's output file in `worker.log-dir`: `<execution id>.<attempt>.log`,
/// appended on the attempt's lane only.
final class LogFile: Sendable {
    let path: String
    private let fd: Int32

    /// Opens (creates) the file; nil, with the reason in `error`, when it cannot.
    init?(directory: String, id: String, attempt: Int, error: inout String?) {
        path = "\(directory)/\(id).\(attempt).log"
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        if fd < 0 {
            error = "cannot open \(path): \(String(cString: strerror(errno))) (check worker.log-dir and its permissions)"
            return nil
        }
    }

    deinit { Glibc.close(fd) }

    func write(_ lines: [String]) {
        if lines.isEmpty { return }
        var bytes: [UInt8] = []
        for l in lines { bytes += l.utf8; bytes.append(0x0A) }
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, bytes.count - offset) }
            if n < 0 { if errno == EINTR { continue }; return }
            offset += n
        }
    }
}
