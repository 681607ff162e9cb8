import Testing
@testable import Platform

struct BackoffTests {
    static let base = Duration.milliseconds(100)
    static let cap = Duration.seconds(30)

    /// min(cap, base · 2^n), computed independently of the code under test.
    static func bound(_ n: Int) -> Duration {
        var d = base
        for _ in 0..<n where d < cap { d = d * 2 }
        return min(d, cap)
    }

    @Test func ceilingDoublesUntilTheCap() {
        let b = Backoff(base: Self.base, cap: Self.cap, jitter: .none)
        let ceilings = (0...12).map { b.ceiling(attempt: $0) }
        #expect(ceilings.prefix(4) == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800)])
        #expect(ceilings[8] == .milliseconds(25_600))
        #expect(ceilings[9] == Self.cap && ceilings[12] == Self.cap)
        #expect(b.ceiling(attempt: 62) == Self.cap)
        #expect(b.ceiling(attempt: 10_000) == Self.cap)
        #expect(b.ceiling(attempt: -3) == Self.base)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var jitter: Backoff.Jitter
        /// The range every delay of attempt n must fall in, given the bound c = min(cap, base · 2^n).
        var lowerFraction: Double
        var testDescription: String { jitter.rawValue }
    }

    @Test(arguments: [Case(jitter: .none, lowerFraction: 1), Case(jitter: .full, lowerFraction: 0),
                      Case(jitter: .equal, lowerFraction: 0.5)])
    func delaysStayBetweenZeroAndTheCappedExponential(_ c: Case) {
        let b = Backoff(base: Self.base, cap: Self.cap, jitter: c.jitter)
        var random = SeededGenerator(seed: 42)
        for attempt in 0...20 {
            let upper = Self.bound(attempt)
            let lower = upper * c.lowerFraction
            for _ in 0..<200 {
                let d = b.delay(attempt: attempt, random: &random)
                #expect(d >= .zero && d >= lower - .nanoseconds(1) && d <= upper,
                        "attempt \(attempt): \(d) outside [\(lower), \(upper)]")
            }
        }
    }

    @Test(arguments: [Backoff.Jitter.full, .equal])
    func delaysGrowWithTheAttemptUntilTheCap(_ jitter: Backoff.Jitter) {
        let b = Backoff(base: Self.base, cap: Self.cap, jitter: jitter)
        var random = SeededGenerator(seed: 5)
        func mean(_ attempt: Int) -> Double {
            var sum = 0.0
            for _ in 0..<500 {
                let (seconds, attoseconds) = b.delay(attempt: attempt, random: &random).components
                sum += Double(seconds) + Double(attoseconds) / 1e18
            }
            return sum / 500
        }
        let means = (0...8).map(mean)
        for i in 1..<means.count {
            #expect(means[i] > means[i - 1] * 1.5, "mean of attempt \(i) \(means[i]) s vs \(means[i - 1]) s")
        }
    }

    @Test func fullJitterSpreadsRetriesOverTheWholeRange() {
        let b = Backoff(base: .seconds(1), cap: .seconds(60), jitter: .full)
        var random = SeededGenerator(seed: 8)
        let delays = (0..<1000).map { _ in b.delay(attempt: 3, random: &random) }
        #expect(delays.contains { $0 < .seconds(1) })
        #expect(delays.contains { $0 > .seconds(7) })
        #expect(Set(delays).count > 990)
    }

    @Test func decorrelatedJitterGrowsFromThePreviousDelayWithinBaseAndCap() {
        let b = Backoff(base: .seconds(1), cap: .seconds(20), jitter: .decorrelated)
        var random = SeededGenerator(seed: 13)
        var previous: Duration? = nil
        var reachedCapRegion = false
        for _ in 0..<200 {
            let d = b.delay(attempt: 0, previous: previous, random: &random)
            let upper = min(Duration.seconds(20), (previous ?? .seconds(1)) * 3)
            #expect(d >= .seconds(1) && d <= upper, "\(d) after \(String(describing: previous))")
            if d > .seconds(10) { reachedCapRegion = true }
            previous = d
        }
        #expect(reachedCapRegion)
        #expect(b.delay(attempt: 0, previous: .seconds(1_000_000_000), random: &random) <= .seconds(20))
    }

    @Test func invalidSettingsAreReported() {
        #expect(Backoff().validationProblems().isEmpty)
        #expect(Backoff(base: .zero).validationProblems().count == 1)
        #expect(Backoff(base: .seconds(10), cap: .seconds(1)).validationProblems().first?.contains("cap") == true)
        #expect(Backoff.Jitter.allCases.map(\.rawValue) == ["none", "full", "equal", "decorrelated"])
    }

    // A pinned jitter unit (how the Redis client draws its reconnect delays).

    @Test func aPinnedUnitPicksBetweenTheEqualJittersBoundsAndStopsAtTheCap() {
        let b = Backoff(base: .milliseconds(10), cap: .milliseconds(100), jitter: .equal)
        let lows = (0..<6).map { b.delay(attempt: $0, unit: 0) }
        #expect(lows == [.milliseconds(5), .milliseconds(10), .milliseconds(20), .milliseconds(40), .milliseconds(50), .milliseconds(50)])
        let highs = (0..<6).map { b.delay(attempt: $0, unit: 1) }
        #expect(highs == [.milliseconds(10), .milliseconds(20), .milliseconds(40), .milliseconds(80), .milliseconds(100), .milliseconds(100)])
    }

    @Test func anOutOfRangeUnitIsClamped() {
        let b = Backoff(base: .milliseconds(10), cap: .milliseconds(100), jitter: .equal)
        #expect(b.delay(attempt: 0, unit: 7) == .milliseconds(10))
        #expect(b.delay(attempt: 0, unit: -1) == .milliseconds(5))
        #expect(b.delay(attempt: 0, unit: .nan) == .milliseconds(5))
    }

    @Test func aUnitSpansEachJittersRange() {
        let full = Backoff(base: .milliseconds(100), cap: .seconds(5), jitter: .full)
        #expect(full.delay(attempt: 1, unit: 0) == .zero && full.delay(attempt: 1, unit: 1) == .milliseconds(200))
        let none = Backoff(base: .milliseconds(100), cap: .seconds(5), jitter: .none)
        #expect(none.delay(attempt: 2, unit: 0) == .milliseconds(400) && none.delay(attempt: 2, unit: 1) == .milliseconds(400))
        let decorrelated = Backoff(base: .milliseconds(100), cap: .seconds(5), jitter: .decorrelated)
        #expect(decorrelated.delay(attempt: 3, previous: .seconds(1), unit: 0) == .milliseconds(100))
        #expect(decorrelated.delay(attempt: 3, previous: .seconds(1), unit: 1) == .seconds(3))
        #expect(decorrelated.delay(attempt: 3, previous: .seconds(4), unit: 1) == .seconds(5))
    }
}
