import Testing
@testable import Resilience

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

    @Test func theReaperActsAfterTheWorkerGivesUpAndBeforeTheLeaseEnds() {
        // Last renewal sent at 1 000: the worker gives up at 26 000, the lease ends at 31 000 at the earliest.
        #expect(Self.policy.reaperDeadline(lastRenewedAt: 1_000) == 28_500)
        let p = LeasePolicy(lease: .seconds(3))
        let abandon = p.abandonAt(lastRenewedAt: 0), reaper = p.reaperDeadline(lastRenewedAt: 0)
        #expect(abandon < reaper && reaper < 3_000)
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
