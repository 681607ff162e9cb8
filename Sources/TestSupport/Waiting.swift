import Glibc

/// Polls `condition` until it holds or `timeout` passes; returns whether it held.
/// The way tests wait for something to happen: a deadline, never a fixed sleep.
public func waitUntil(timeout: Duration, poll: Duration = .milliseconds(20), _ condition: () throws -> Bool) rethrows -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while true {
        if try condition() { return true }
        if clock.now >= deadline { return false }
        pause(min(poll, deadline - clock.now))
    }
}

/// Blocks the calling thread for `duration` (between polls only).
func pause(_ duration: Duration) {
    let (seconds, atto) = duration.components
    guard seconds > 0 || atto > 0 else { return }
    var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(atto / 1_000_000_000))
    var remaining = timespec()
    while nanosleep(&request, &remaining) == -1 && errno == EINTR { request = remaining }
}
