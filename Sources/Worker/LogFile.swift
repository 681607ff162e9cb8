import FoundationEssentials
import Glibc
import Platform
import Synchronization

/// An attempt's output file in `worker.log-dir`: `<execution id>.<attempt>.log`.
/// A program's file gets every byte it printed, as read from its pipes, before the
/// output rate or line length limits that bound what reaches Redis; a builtin's or an
/// HTTP job's gets its lines. The worker's own notes are lines starting `[batch-worker]`.
final class LogFile: Sendable {
    let path: String
    private let fd: Int32
    private let failed = Atomic<Bool>(false)
    /// Told once, at the first write that fails (a full disk): the file is incomplete from there.
    private let onFailure: @Sendable (String) -> Void

    /// Opens (creates) the file; nil, with the reason in `error`, when it cannot.
    init?(directory: String, id: String, attempt: Int, error: inout String?,
          onFailure: @escaping @Sendable (String) -> Void = { _ in }) {
        path = "\(directory)/\(id).\(attempt).log"
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        self.onFailure = onFailure
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
        bytes.withUnsafeBytes { write(bytes: $0) }
    }

    /// Appends `bytes` whole; after a failure, nothing more (the file says where it stops).
    func write(bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0, !failed.load(ordering: .relaxed) else { return }
        do {
            try writeAll(fd, bytes)
        } catch {
            if !failed.exchange(true, ordering: .relaxed) {
                onFailure("cannot write \(path): \(error.reason); its output there is incomplete from byte \(lseek(fd, 0, SEEK_CUR))")
            }
        }
    }
}

/// Where a running program's raw output goes besides the line splitter (the loop thread writes).
public final class RawOutputSink: Sendable {
    let write: @Sendable (UnsafeRawBufferPointer) -> Void
    public init(write: @escaping @Sendable (UnsafeRawBufferPointer) -> Void) { self.write = write }
}
