import BatchCore
import Foundation
import Terminal
import Testing
@testable import Console

struct ProblemsTests {
    /// The fixture's fleet with every kind of problem.
    static func troubled() -> ConsoleSnapshot {
        var snap = Fixtures.snapshot()
        snap.workers[1].lost = true
        snap.workers[0].breakers[1].state = "forced_open"
        snap.schedules[0].lastOutcome = "missed"
        snap.schedules.append(ScheduleRow(name: "hourly", job: "sleep", expression: "0 0 * * * *", lastOutcome: "failed:queue-full"))
        snap.health = .init(recentFailures: 3, recentFailuresByJob: ["etl": 2, "report": 1], schedulerLeader: false,
                            oldestQueued: Fixtures.t0.addingTimeInterval(-240))
        return snap
    }

    @Test func aFleetWithNothingWrongHasNoProblems() {
        var snap = Fixtures.snapshot()
        snap.workers[0].breakers = []
        snap.health = .init(schedulerLeader: true, oldestQueued: Fixtures.t0.addingTimeInterval(-30))
        let p = Problems(snap)
        #expect(p.isEmpty)
        #expect(p.line(width: 80) == "no problems")
    }

    @Test func everyKindOfProblemIsNamedWorstFirst() {
        #expect(Problems(Self.troubled()).items == [
            "3 failed/10m (etl 2, report 1)", "worker worker-b-20191 lost", "breaker forced open worker-a-20190",
            "no scheduler leader", "schedule nightly-report missed", "schedule hourly failed:queue-full", "oldest queued 4m00s",
        ])
    }

    @Test func pausedSchedulesAndAnUnknownLeaderAreNoProblem() {
        var snap = Fixtures.snapshot()
        snap.workers[0].breakers = []
        snap.schedules[1].lastOutcome = "missed"  // tick is paused
        snap.health.schedulerLeader = nil
        #expect(Problems(snap).isEmpty)
        snap.health.schedulerLeader = false
        snap.schedules = []
        #expect(Problems(snap).isEmpty, "no schedule, no scheduler needed")
    }

    @Test func severalLostWorkersAreCounted() {
        var snap = Fixtures.snapshot()
        snap.workers[0].breakers = []
        snap.workers[0].lost = true
        snap.workers[1].lost = true
        #expect(Problems(snap).items == ["2 workers lost"])
    }

    @Test(arguments: [20, 40, 80, 120])
    func theLineFitsItsWidthAndSaysHowManyMore(width: Int) {
        let p = Problems(Self.troubled())
        let line = p.line(width: width)
        #expect(TextWidth.width(line) <= width, "\(line)")
        #expect(line.hasPrefix("PROBLEMS  "))
        // At the narrowest, the first problem is cut short and the rest counted.
        let shown = max(1, p.items.filter { line.contains($0) }.count)
        if shown < p.items.count { #expect(line.hasSuffix("+\(p.items.count - shown) more"), "\(line)") }
        #expect(p.line(width: .max) == "PROBLEMS  " + p.items.joined(separator: " · "))
    }

    @Test func countsNameOnlyTheStatesThereAre() {
        #expect(Problems.counts([.queued: 12, .running: 3, .retrying: 1, .failed: 40, .succeeded: 0]) == "queued 12 running 3 retrying 1 failed 40")
        #expect(Problems.counts([:]) == "")
    }

    @Test func sparklinesScaleToTheBusiestMinuteAndFitTheirWidth() {
        #expect(Problems.sparkline([0, 1, 2, 4, 8], width: 5) == " ▁▂▄█")
        let hour = (0..<60).map { $0 }
        #expect(Problems.sparkline(hour, width: 60).count == 60)
        #expect(Problems.sparkline(hour, width: 20).count == 20)
        #expect(Problems.sparkline(hour, width: 20).last == "█")
        #expect(Problems.sparkline([], width: 10) == "")
    }

    func draw(_ snap: ConsoleSnapshot, _ size: Size) -> GridCanvas {
        var s = ConsoleState(size: size, timeZone: Fixtures.utc)
        s.apply(snapshot: snap)
        let c = GridCanvas(rows: size.rows, cols: size.cols)
        render(s, into: c)
        return c
    }

    @Test func at80By24TheProblemsLineIsUnderTheMetersInTheErrorStyle() {
        let c = draw(Self.troubled(), Size(rows: 24, cols: 80))
        #expect(c.lines[3].hasPrefix("PROBLEMS  3 failed/10m (etl 2, report 1) · worker worker-b-20191 lost"))
        #expect(c.lines[3].contains("more"))
        #expect(TextWidth.width(c.lines[3]) == 80)
        #expect(c.style(3, 0) == .error && c.style(3, 12) == .stateFailed)
        #expect(c.lines[4].hasPrefix("retrying 1 failed 4"))
        #expect(c.lines[5].contains("1 Executions"))
    }

    @Test func at200By60TheWholeLineAndBothSparklinesShow() {
        var snap = Self.troubled()
        snap.health.endsPerMinute = (0..<60).map { $0 % 8 }
        snap.health.failuresPerMinute = (0..<60).map { $0 == 59 ? 3 : 0 }
        let c = draw(snap, Size(rows: 60, cols: 200))
        #expect(c.lines[3].trimmingCharacters(in: .whitespaces) == Problems(snap).line(width: 200))
        #expect(c.lines[3].contains("schedule nightly-report missed +2 more"))
        let counts = c.lines[4]
        #expect(counts.hasPrefix("retrying 1 failed 4"))
        #expect(counts.contains("ends/h ") && counts.contains("failed/h "))
        #expect(counts.contains(" ▂▃▄▅▆▇█ ▂▃▄▅▆▇█"))
        #expect(counts.trimmingCharacters(in: .whitespaces).hasSuffix("█"), "the last minute's failures end the line")
        #expect(c.lines[5].contains("1 Executions"))
    }

    @Test func aQuietFleetSaysSoDimly() {
        var snap = Fixtures.snapshot()
        snap.workers[0].breakers = []
        let c = draw(snap, Size(rows: 24, cols: 80))
        #expect(c.lines[3].hasPrefix("no problems"))
        #expect(c.style(3, 0) == .dim)
    }

    @Test func aShortScreenKeepsNoHeaderAtAll() {
        let c = draw(Self.troubled(), Size(rows: 12, cols: 80))
        #expect(!c.lines.contains { $0.contains("PROBLEMS") })
        #expect(c.lines[0].contains("1 Executions"))
    }
}
