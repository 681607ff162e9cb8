/// A per-second allowance of output lines: memory and log volume stay bounded
/// however fast a child prints. Time is given in monotonic nanoseconds.
struct LineBudget {
    let perSecond: Int
    private var windowStart: UInt64 = 0
    private var used = 0
    private var started = false

    init(perSecond: Int) { self.perSecond = perSecond }

    /// Whether one more line may be delivered at `now`; counts it if so.
    mutating func admit(now: UInt64) -> Bool {
        if !started || now &- windowStart >= 1_000_000_000 {
            started = true; windowStart = now; used = 0
        }
        guard used < perSecond else { return false }
        used += 1
        return true
    }
}
