import Testing
@testable import BatchCore

struct LeasePolicyTests {
    /// Lease 30 s, renew every 10 s, give up 5 s before expiry; last renewal sent at t = 1000.
    static let policy = LeasePolicy(lease: .seconds(30), renewEvery: .seconds(10), safetyMargin: .seconds(5))

    @Test(arguments: [
        (Int64(1_000), LeasePolicy.Action.waitUntil(11_000)),
        (10_999, .waitUntil(11_000)),
        (11_000, .renew),
        (25_999, .renew),
        (26_000, .abandon),
        (1_000_000, .abandon),
    ])
    func actionFollowsTheTimeSinceTheLastRenewal(now: Int64, expected: LeasePolicy.Action) {
        #expect(Self.policy.action(lastRenewedAt: 1_000, now: now) == expected)
        #expect(Self.policy.shouldAbandon(lastRenewedAt: 1_000, now: now) == (expected == .abandon))
    }

    @Test func aSuccessfulRenewalPushesTheLimitOut() {
        #expect(Self.policy.shouldAbandon(lastRenewedAt: 1_000, now: 27_000))
        #expect(Self.policy.shouldAbandon(lastRenewedAt: 21_000, now: 27_000) == false)
        #expect(Self.policy.abandonAt(lastRenewedAt: 21_000) == 46_000)
    }

    @Test func defaultsRenewEveryThirdAndGiveUpAFifthBeforeExpiry() {
        let p = LeasePolicy(lease: .seconds(30))
        #expect(p.renewEvery == .seconds(10) && p.safetyMargin == .seconds(6))
        #expect(p.validationProblems().isEmpty)
    }

    @Test(arguments: [
        (LeasePolicy(lease: .zero, renewEvery: .seconds(1), safetyMargin: .zero), "lease is"),
        (LeasePolicy(lease: .seconds(10), renewEvery: .zero, safetyMargin: .zero), "renewal interval is"),
        (LeasePolicy(lease: .seconds(10), renewEvery: .seconds(1), safetyMargin: .seconds(-1)), "safety margin is"),
        (LeasePolicy(lease: .seconds(10), renewEvery: .seconds(8), safetyMargin: .seconds(2)), "leaves no time"),
    ])
    func invalidPoliciesAreReported(policy: LeasePolicy, mentions: String) {
        let problems = policy.validationProblems()
        #expect(problems.count == 1)
        #expect(problems.first?.contains(mentions) == true, "\(problems)")
    }
}
