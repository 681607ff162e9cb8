@testable import Resilience
import Testing

/// What an operator's breaker override sends, declared once for batchctl and batchtop.
struct BreakerOverrideTests {
    @Test(arguments: [
        (BreakerOverride.forceOpen, "forced_open", BreakerOperation.forcedOpen),
        (.forceClose, "closed@1764072000000", .closed),
        (.reset, "reset@1764072000000", .reset),
    ])
    func breakerOverrideValuesAreWhatTheGatewaysApply(override: BreakerOverride, value: String, operation: BreakerOperation) {
        let v = override.value(now: 1_764_072_000_000)
        #expect(v == value)
        // A gateway reads the part before `@` as the operation.
        #expect(BreakerOperation(rawValue: String(v.split(separator: "@")[0])) == operation)
    }
}
