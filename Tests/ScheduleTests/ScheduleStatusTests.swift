import FoundationEssentials
import Testing
@testable import Schedule

/// A schedule's published status: what the scheduler writes reads back whole, and a
/// status from an older or newer scheduler still reads.
struct ScheduleStatusTests {
    @Test func whatTheSchedulerWritesReadsBack() throws {
        var s = ScheduleStatus(name: "nightly", job: "report", trigger: "cron 0 0 2 * * *", zone: "UTC", nextFire: "2026-11-25T02:00:00Z",
                               nextFireMs: 1_764_036_000_000, lastExecution: "01JD", lastOutcome: "succeeded", paused: true,
                               pending: 2, misfires: 3, anchorMs: 5, fingerprint: "ab12", scheduler: "scheduler-a", updatedMs: 9)
        s.lastEndMs = 7
        s.pendingSinceMs = 6
        let json = String(decoding: try JSONEncoder().encode(s), as: UTF8.self)
        #expect(ScheduleStatus(json: json) == s)
    }

    @Test func missingUnknownAndMistypedFieldsAreTolerated() throws {
        let s = try #require(ScheduleStatus(json: #"{"name":"n","job":"report","nextFireMs":12,"paused":"yes","pending":"two","shard":4}"#))
        #expect(s.name == "n")
        #expect(s.job == "report")
        #expect(s.nextFireMs == 12)
        #expect(s.trigger == nil && s.zone == nil && s.lastOutcome == nil)
        #expect(!s.paused)
        #expect(s.pending == 0 && s.misfires == 0 && s.anchorMs == 0)
        #expect(s.fingerprint.isEmpty, "no fingerprint: a new leader adopts nothing from it")
    }

    @Test(arguments: ["", "[]", "\"nightly\"", "{", "null"])
    func textThatIsNoObjectIsNoStatus(_ json: String) {
        #expect(ScheduleStatus(json: json) == nil)
    }
}
