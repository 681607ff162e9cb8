import FoundationEssentials
import Glibc
import Platform

/// Ending a command-line program: usage errors go to stderr with status 2.
public enum ProcessExit {
    /// Prints `batchctl: <message>; see 'batchctl list --help'` to stderr and exits 2.
    public static func usage(_ error: UsageError) -> Never {
        write(error.description + "\n", to: 2)
        exit(2)
    }

    /// Writes text whole to standard output (1) or standard error (2).
    public static func write(_ text: String, to fd: Int32) {
        // A closed or full pipe: nothing better to do with the text than drop it.
        _ = try? writeAll(fd, Array(text.utf8))
    }

    public static func exit(_ status: Int32) -> Never {
        Glibc.exit(status)
    }
}
