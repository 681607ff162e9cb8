import Testing
@testable import BatchCore

struct RequestLimitUnitTests {
    static let job: JobType = {
        var j = JobType(name: "j", timeout: .seconds(300), maxAttempts: 3)
        j.maxTimeoutMs = 900_000
        return j
    }()

    @Test(arguments: [
        (nil, nil, 300, 3), (10, 1, 10, 1), (900, 3, 900, 3),
    ] as [(Int?, Int?, Int, Int)])
    func omittedOrLowerLimitsAreTaken(timeout: Int?, attempts: Int?, expectedTimeout: Int, expectedAttempts: Int) throws {
        let l = try Self.job.limits(timeoutSeconds: timeout, maxAttempts: attempts).get()
        #expect(l.timeoutSeconds == expectedTimeout && l.maxAttempts == expectedAttempts)
    }

    @Test(arguments: [
        (901, nil, "timeoutSeconds"), (0, nil, "timeoutSeconds"), (-5, nil, "timeoutSeconds"),
        (nil, 4, "maxAttempts"), (nil, 0, "maxAttempts"), (nil, 100, "maxAttempts"),
    ] as [(Int?, Int?, String)])
    func higherLimitsAreRefusedNamingTheField(timeout: Int?, attempts: Int?, field: String) {
        guard case .failure(let e) = Self.job.limits(timeoutSeconds: timeout, maxAttempts: attempts) else {
            Issue.record("accepted"); return
        }
        #expect(e.field == field)
    }

    @Test func withoutMaxTimeoutTheTimeoutIsTheCeiling() {
        let j = JobType(name: "j", timeout: .seconds(300))
        #expect(j.timeoutCeilingSeconds == 300)
        guard case .failure(let e) = j.limits(timeoutSeconds: 604_800, maxAttempts: nil) else { Issue.record("accepted"); return }
        #expect(e.message.contains("declare max-timeout"))
    }
}
