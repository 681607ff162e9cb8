import Testing
@testable import Console

struct ConsoleOptionsTests {
    @Test(arguments: [("2", 2000), ("0.5", 500), ("0.1", 100), ("1.25", 1250)])
    func delayIsReadInSecondsWithDecimals(text: String, ms: Int) throws {
        #expect(try ConsoleOptions.delay(fromSeconds: text) == .milliseconds(ms))
    }

    @Test(arguments: ["0", "0.05", "-1", "abc", "", "nan", "inf", "100000"])
    func badDelaysAreUsageErrors(text: String) {
        #expect(throws: ConsoleError.self) { try ConsoleOptions.delay(fromSeconds: text) }
    }

    @Test(arguments: [("executions", ConsoleView.executions), ("2", .workers), ("Sched", .schedules), ("e", nil),
                      ("events", .events), ("5", nil), ("", nil), ("w", .workers)] as [(String, ConsoleView?)])
    func viewsAreNamedOrNumbered(text: String, view: ConsoleView?) {
        #expect((try? ConsoleView(argument: text)) == view)
    }

    @Test func validateRefusesValuesThatCannotWork() {
        #expect(throws: ConsoleError.usage("-d must be at least 0.1 seconds")) {
            try ConsoleOptions(delay: .milliseconds(10)).validate()
        }
        #expect(throws: ConsoleError.usage("-n must be at least 1")) { try ConsoleOptions(iterations: 0).validate() }
        #expect(throws: Never.self) { try ConsoleOptions(batch: true, iterations: 3).validate() }
    }
}

struct BatchModeTests {
    @Test func printsTheAskedNumberOfSnapshotsWaitingTheDelayBetween() {
        let fake = FakeDataSource(snapshot: Fixtures.snapshot(executions: 3))
        var out: [String] = []
        var waits: [Duration] = []
        let rc = runBatch(options: ConsoleOptions(delay: .milliseconds(500), batch: true, iterations: 3),
                          dataSource: fake, width: 120, write: { out.append($0) }, error: { Issue.record("\($0)") },
                          wait: { waits.append($0) })
        #expect(rc == 0)
        #expect(out.count == 3)
        #expect(waits == [.milliseconds(500), .milliseconds(500)])
        #expect(out[0].hasPrefix("batchtop 11-25"))
        #expect(out[1].hasPrefix("\nbatchtop"))  // snapshots are separated by an empty line
        #expect(out[0].split(separator: "\n").count == 6)  // summary, problems, titles, three rows
    }

    @Test func failsWithStatusOneWhenTheDataCannotBeRead() {
        let fake = FakeDataSource(snapshot: Fixtures.snapshot())
        fake.fail("redis 127.0.0.1:1: connection refused")
        var errors: [String] = []
        let rc = runBatch(options: ConsoleOptions(batch: true, iterations: 1), dataSource: fake, width: 120,
                          write: { _ in Issue.record("printed output") }, error: { errors.append($0) }, wait: { _ in })
        #expect(rc == 1)
        #expect(errors == ["batchtop: cannot read the fleet's state: redis 127.0.0.1:1: connection refused"])
    }

    @Test func badOptionsExitWithUsageStatus() {
        let fake = FakeDataSource(snapshot: Fixtures.snapshot())
        #expect(runConsole(options: ConsoleOptions(delay: .zero, batch: true), dataSource: fake) == 2)
        #expect(fake.recorded.snapshots == 0)
    }
}
