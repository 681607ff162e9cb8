import Foundation
import Testing
@testable import BatchCore

/// `rate` and `rate-burst` of a `[job]` section.
struct JobRateConfigTests {
    private func job(_ keys: String) throws -> JobType {
        let config = try Configuration.parse(text: "[job \"r\"]\nbuiltin = noop\n\(keys)\n", file: "/etc/batch/batch.conf")
        return try #require(config.jobs["r"])
    }

    @Test(arguments: [("100/1m", 100, 60_000), ("5/1s", 5, 1_000), ("1000/1h", 1000, 3_600_000), ("3/500ms", 3, 500), (" 7 / 1d ", 7, 86_400_000)])
    func aRateIsACountAndAPeriod(text: String, count: Int, periodMs: Int64) throws {
        #expect(try job("rate = \(text)").rate == JobRate(count: count, periodMs: periodMs, burst: 1))
    }

    @Test func theBurstMayComeBeforeOrAfterTheRate() throws {
        #expect(try job("rate = 100/1m\nrate-burst = 10").rate == JobRate(count: 100, periodMs: 60_000, burst: 10))
        #expect(try job("rate-burst = 10\nrate = 100/1m").rate == JobRate(count: 100, periodMs: 60_000, burst: 10))
        #expect(try job("concurrency = 3").rate == nil)
    }

    @Test func aRateSurvivesTheRegistrationJSONAndSaysItselfAsConfigured() throws {
        let j = try job("rate = 600/1m\nrate-burst = 20")
        let back = try JSONDecoder().decode(JobType.self, from: JSONEncoder().encode(j))
        #expect(back.rate == j.rate)
        #expect(j.rate?.description == "600/1m burst 20")
        #expect(JobRate(count: 5, periodMs: 1_000).description == "5/1s")
        // A declaration from before rates decodes without one.
        var old = try JSONSerialization.jsonObject(with: JSONEncoder().encode(JobType(name: "x"))) as! [String: Any]
        old["rate"] = nil
        #expect(try JSONDecoder().decode(JobType.self, from: JSONSerialization.data(withJSONObject: old)).rate == nil)
    }

    @Test func badRatesAreRefusedWithTheirFileAndLine() {
        let at = "/etc/batch/batch.conf:3: "
        #expect(parseErrors("[job \"r\"]\nbuiltin = noop\nrate = 100\n")
                == [at + "invalid \"rate\" in [job \"r\"]: expected a count and a period such as 100/1m, 5/1s or 1000/1h, found \"100\""])
        #expect(parseErrors("[job \"r\"]\nbuiltin = noop\nrate = 0/1m\n")
                == [at + "invalid \"rate\" in [job \"r\"]: the count of \"0/1m\" must be 1 to 1000000"])
        #expect(parseErrors("[job \"r\"]\nbuiltin = noop\nrate = 5/2d\n")
                == [at + "invalid \"rate\" in [job \"r\"]: the period of \"5/2d\" must be 1ms to 1d"])
        #expect(parseErrors("[job \"r\"]\nbuiltin = noop\nrate = 5/soon\n").count == 1)
        #expect(parseErrors("[job \"r\"]\nbuiltin = noop\nrate-burst = 0\nrate = 5/1s\n")
                == [at + "invalid \"rate-burst\" in [job \"r\"]: expected a number of leases from 1 to 1000000, found \"0\""])
        #expect(parseErrors("[job \"r\"]\nbuiltin = noop\nrate-burst = 4\n")
                == [at + "rate-burst in [job \"r\"] needs a rate (rate = N/PERIOD)"])
        #expect(parseErrors("[job \"r\"]\nbuiltin = noop\nrate-limit = 5/1s\n").first?.contains("did you mean \"rate\"") == true)
    }
}
