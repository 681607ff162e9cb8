import Testing
@testable import BatchCore

/// A client's lookup of a schedule's definition, for running it now.
struct ScheduleLookupTests {
    let nightly = ScheduleDefinition(name: "nightly", job: "report", trigger: .cron("0 0 2 * * *"), zone: "UTC")

    @Test func aConfiguredScheduleIsFound() throws {
        #expect(try ScheduleDefinition.configured("nightly", in: ["nightly": nightly], files: ["/etc/batch/batch.conf"], program: "batchctl") == nightly)
    }

    @Test func anUnconfiguredOneNamesTheFilesReadAndTheFix() {
        #expect(throws: ScheduleNotConfigured(name: "hourly", program: "batchtop", files: ["/a.conf", "/b.conf"])) {
            try ScheduleDefinition.configured("hourly", in: ["nightly": nightly], files: ["/a.conf", "/b.conf"], program: "batchtop")
        }
        #expect(ScheduleNotConfigured(name: "hourly", program: "batchctl", files: []).description
            == "schedule hourly is running in Redis, but its parameters are in the configuration and batchctl read no configuration file; "
            + "give batchctl --config with the scheduler's file")
    }
}
