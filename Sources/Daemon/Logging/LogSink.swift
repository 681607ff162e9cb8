import FoundationEssentials
import Synchronization
#if canImport(Glibc)
import Glibc
import Platform
#endif

/// Where formatted log lines go. A line handed to `emit` ends with a newline.
public struct LogSink: Sendable {
    /// Writes one complete line; must be safe to call from any thread.
    public let emit: @Sendable (String) -> Void
    /// Whether this sink is the systemd journal's stream (lines then carry `<N>` and no time).
    public let isJournal: Bool

    public init(isJournal: Bool = false, emit: @escaping @Sendable (String) -> Void) {
        self.emit = emit
        self.isJournal = isJournal
    }

    /// Standard error, recognised as the journal when `JOURNAL_STREAM` names fd 2.
    public static let standardError: LogSink = {
        let journal = FileDescriptorLogWriter.isJournalStream(
            fd: 2, journalStream: ProcessInfo.processInfo.environment["JOURNAL_STREAM"])
        return .fileDescriptor(2, isJournal: journal)
    }()

    /// A sink writing each line to `fd` with one write(2) call.
    public static func fileDescriptor(_ fd: Int32, isJournal: Bool = false) -> LogSink {
        let writer = FileDescriptorLogWriter(fd: fd)
        return LogSink(isJournal: isJournal) { writer.write($0) }
    }
}

/// Serialises writes to one descriptor. Lines shorter than PIPE_BUF are atomic
/// on a pipe anyway; the lock keeps longer lines and partial writes whole too.
final class FileDescriptorLogWriter: Sendable {
    let fd: Int32
    private let lock = Mutex(())

    init(fd: Int32) { self.fd = fd }

    func write(_ line: String) {
        let bytes = Array(line.utf8)
        lock.withLock { _ in
            // A failure is dropped: there is nowhere left to report a failing log descriptor.
            _ = try? writeAll(fd, bytes)
        }
    }

    /// `JOURNAL_STREAM` is `DEVICE:INODE` of the stream systemd connected;
    /// it only counts when `fd` is still that very stream (not redirected since).
    static func isJournalStream(fd: Int32, journalStream: String?) -> Bool {
        guard let value = journalStream else { return false }
        let parts = value.split(separator: ":")
        guard parts.count == 2, let dev = UInt64(parts[0]), let ino = UInt64(parts[1]) else { return false }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return false }
        return UInt64(st.st_dev) == dev && UInt64(st.st_ino) == ino
    }
}
