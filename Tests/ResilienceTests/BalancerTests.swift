import Testing
@testable import Resilience

struct BalancerTests {
    static func worker(_ id: String, load: Int, free: Int = 4, serves: Bool = true, allows: Bool = true) -> WorkerCandidate {
        WorkerCandidate(id: id, outstanding: load, freeSlots: free, servesJob: serves, breakerAllows: allows)
    }

    @Test(arguments: [3, 4, 8])
    func p2cNeverPicksTheMostLoadedWorker(count: Int) {
        let candidates = (0..<count).map { Self.worker("w\($0)", load: $0) }
        let mostLoaded = "w\(count - 1)"
        var balancer = Balancer(strategy: .p2c)
        var random = SeededGenerator(seed: UInt64(count))
        var picks: [String: Int] = [:]
        let rounds = 4000
        for _ in 0..<rounds {
            let chosen = balancer.choose(from: candidates, random: &random)
            picks[chosen!.id, default: 0] += 1
        }
        #expect(picks[mostLoaded] == nil)
        // The least loaded wins every pair it is in: 2/n of the rounds.
        let expected = Double(rounds) * 2 / Double(count)
        let least = Double(picks["w0"] ?? 0)
        #expect(abs(least - expected) < expected * 0.1, "w0 picked \(least) times, expected about \(expected)")
        // Every worker but the most loaded wins some pair.
        #expect(picks.count == count - 1)
    }

    @Test func p2cWithTwoEligibleAlwaysPicksTheLessLoaded() {
        let candidates = [Self.worker("a", load: 5), Self.worker("b", load: 2),
                          Self.worker("c", load: 0, serves: false)]
        var balancer = Balancer(strategy: .p2c)
        var random = SeededGenerator(seed: 7)
        for _ in 0..<200 {
            #expect(balancer.choose(from: candidates, random: &random)?.id == "b")
        }
    }

    @Test func p2cBreaksTiesAtRandom() {
        let candidates = [Self.worker("a", load: 1), Self.worker("b", load: 1)]
        var balancer = Balancer(strategy: .p2c)
        var random = SeededGenerator(seed: 11)
        var picks: [String: Int] = [:]
        for _ in 0..<1000 {
            picks[balancer.choose(from: candidates, random: &random)!.id, default: 0] += 1
        }
        #expect((400...600).contains(picks["a"] ?? 0), "\(picks)")
    }

    struct Ineligible: Sendable, CustomTestStringConvertible {
        var reason: String
        var candidate: WorkerCandidate
        var excluded: Bool = false
        var testDescription: String { reason }
    }

    static let ineligible: [Ineligible] = [
        Ineligible(reason: "does not serve the job", candidate: worker("x", load: 0, serves: false)),
        Ineligible(reason: "has no free slot", candidate: worker("x", load: 0, free: 0)),
        Ineligible(reason: "reports negative free slots", candidate: worker("x", load: 0, free: -1)),
        Ineligible(reason: "is behind a refusing breaker", candidate: worker("x", load: 0, allows: false)),
        Ineligible(reason: "was excluded after a failed dispatch", candidate: worker("x", load: 0), excluded: true),
    ]

    @Test(arguments: ineligible, BalanceStrategy.allCases)
    func neverPicksAnIneligibleOrExcludedWorker(_ c: Ineligible, strategy: BalanceStrategy) {
        // The ineligible one is the least loaded, so p2c would prefer it if it were allowed.
        let candidates = [c.candidate, Self.worker("y", load: 3), Self.worker("z", load: 9)]
        var balancer = Balancer(strategy: strategy)
        var random = SeededGenerator(seed: 3)
        for _ in 0..<300 {
            let chosen = balancer.choose(from: candidates, exclude: c.excluded ? ["x"] : [], random: &random)
            #expect(chosen != nil && chosen?.id != "x")
        }
        // Alone, it yields no choice at all.
        #expect(balancer.choose(from: [c.candidate], exclude: c.excluded ? ["x"] : [], random: &random) == nil)
    }

    @Test(arguments: BalanceStrategy.allCases)
    func noCandidatesMeansNoChoice(_ strategy: BalanceStrategy) {
        var balancer = Balancer(strategy: strategy)
        var random = SeededGenerator(seed: 1)
        #expect(balancer.choose(from: [], random: &random) == nil)
        let all = [Self.worker("a", load: 0), Self.worker("b", load: 0)]
        #expect(balancer.choose(from: all, exclude: ["a", "b"], random: &random) == nil)
    }

    @Test func roundRobinCyclesInOrderOfId() {
        var balancer = Balancer(strategy: .roundRobin)
        var random = SeededGenerator(seed: 1)
        let candidates = [Self.worker("c", load: 0), Self.worker("a", load: 9), Self.worker("b", load: 5)]
        var ids: [String] = []
        for _ in 0..<7 {
            ids.append(balancer.choose(from: candidates.shuffled(using: &random), random: &random)!.id)
        }
        #expect(ids == ["a", "b", "c", "a", "b", "c", "a"])
    }

    @Test func roundRobinCarriesOnWhenWorkersComeAndGo() {
        var balancer = Balancer(strategy: .roundRobin)
        var random = SeededGenerator(seed: 1)
        let a = Self.worker("a", load: 0), b = Self.worker("b", load: 0)
        let c = Self.worker("c", load: 0), d = Self.worker("d", load: 0)
        #expect(balancer.choose(from: [a, b, c], random: &random)?.id == "a")
        #expect(balancer.choose(from: [a, b, c], random: &random)?.id == "b")
        // b leaves and d joins: the rotation goes on after b.
        #expect(balancer.choose(from: [a, c, d], random: &random)?.id == "c")
        #expect(balancer.choose(from: [a, c, d], random: &random)?.id == "d")
        #expect(balancer.choose(from: [a, c, d], random: &random)?.id == "a")
        // The next one in turn is excluded: skip to the one after.
        #expect(balancer.choose(from: [a, c, d], exclude: ["c"], random: &random)?.id == "d")
        #expect(balancer.lastChosenID == "d")
    }

    @Test func randomReachesEveryEligibleWorkerEvenly() {
        let candidates = (0..<4).map { Self.worker("w\($0)", load: $0 * 10) }
        var balancer = Balancer(strategy: .random)
        var random = SeededGenerator(seed: 99)
        var picks: [String: Int] = [:]
        for _ in 0..<4000 {
            picks[balancer.choose(from: candidates, random: &random)!.id, default: 0] += 1
        }
        #expect(picks.count == 4)
        #expect(picks.values.allSatisfy { (900...1100).contains($0) }, "\(picks)")
    }

    @Test func strategyNamesMatchTheConfig() {
        #expect(BalanceStrategy.allCases.map(\.rawValue) == ["p2c", "round-robin", "random"])
    }
}
