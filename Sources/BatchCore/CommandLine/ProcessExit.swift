import FoundationEssentials
import Glibc

/// Ending a command-line program: usage errors go to stderr with status 2.
public enum ProcessExit {
    /// Prints `batchctl: <message>; see 'batchctl list --help'` to stderr and exits 2.
    public static func usage(_ error: UsageError) -> Never {
        write(error.description + "\n", to: 2)
        exit(2)
    }

    /// Writes text whole to standard output (1) or standard error (2).
    public static func write(_ text: String, to fd: Int32) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            // A closed or full pipe: nothing better to do with the text than drop it.
            guard n > 0 else { return }
            bytes = bytes.dropFirst(n)
        }
    }

    public static func exit(_ status: Int32) -> Never {
        Glibc.exit(status)
    }
}
