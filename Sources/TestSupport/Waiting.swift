import Glibc
import Platform

/// Polls `condition` until it holds or `timeout` passes; returns whether it held.
/// The way tests wait for something to happen: a deadline, never a fixed sleep.
public func waitUntil(timeout: Duration, poll: Duration = .milliseconds(20), _ condition: () throws -> Bool) rethrows -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while true {
        if try condition() { return true }
        if clock.now >= deadline { return false }
        sleepBlocking(min(poll, deadline - clock.now))
    }
}
