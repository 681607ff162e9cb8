/// Capped exponential backoff with "equal jitter": delay n is uniform in [c/2, c], c = min(cap, base·2ⁿ),
/// so retries spread out yet never spin (a refused connect returns at once).
/// Pure: the random source is injected, so tests can pin it.
struct Backoff {
    var base: Duration
    var cap: Duration
    private(set) var attempt = 0

    init(base: Duration = .milliseconds(10), cap: Duration) {
        self.base = base
        self.cap = cap
    }

    /// The delay before the next attempt; `unit` is a random number in [0, 1].
    mutating func next(unit: Double) -> Duration {
        let ceiling = min(cap, base * (1 << min(attempt, 20)))
        attempt += 1
        return ceiling / 2 + (ceiling / 2) * max(0, min(1, unit))
    }
}
