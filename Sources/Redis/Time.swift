import Glibc

/// A `timeval` for hiredis; `nil` (or zero) means no timeout.
func makeTimeval(_ duration: Duration?) -> timeval {
    guard let duration else { return Glibc.timeval(tv_sec: 0, tv_usec: 0) }
    let (seconds, attoseconds) = duration.components
    return Glibc.timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
}

extension Duration {
    var nanoseconds: Int64 {
        let (s, atto) = components
        return s * 1_000_000_000 + atto / 1_000_000_000
    }
}

func sleepBlocking(_ duration: Duration) {
    let ns = max(0, duration.nanoseconds)
    var request = timespec(tv_sec: Int(ns / 1_000_000_000), tv_nsec: Int(ns % 1_000_000_000))
    var remaining = timespec()
    while nanosleep(&request, &remaining) == -1 && errno == EINTR { request = remaining }
}
