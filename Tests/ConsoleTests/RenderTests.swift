import BatchCore
import Foundation
import Terminal
import Testing
@testable import Console

struct RenderTests {
    static let sizes = [Size(rows: 24, cols: 80), Size(rows: 40, cols: 120)]

    func draw(_ state: ConsoleState) -> GridCanvas {
        let c = GridCanvas(rows: state.size.rows, cols: state.size.cols)
        render(state, into: c)
        return c
    }

    func state(_ size: Size, snapshot: ConsoleSnapshot = Fixtures.snapshot()) -> ConsoleState {
        var s = ConsoleState(size: size, timeZone: Fixtures.utc)
        s.apply(snapshot: snapshot)
        return s
    }

    @Test(arguments: sizes)
    func executionsViewHasMetersTabsTitlesRowsAndFunctionBar(size: Size) {
        let c = draw(state(size, snapshot: Fixtures.snapshot(executions: 60)))
        let lines = c.lines
        #expect(lines[0].hasPrefix("Workers [") && lines[0].contains("2/3 up"))
        #expect(lines[0].contains("12 queued"))
        #expect(lines[1].contains("3/8 slots") && lines[1].contains("1.25/s"))
        #expect(lines[2].contains("97.5%") && lines[2].contains("1m02s"))
        #expect(lines[5].contains("1 Executions") && lines[5].contains("rows 1–\(size.rows - 9) of 60"))
        #expect(lines[6].hasPrefix("ID ") && lines[6].contains("STATE") && lines[6].contains("CREATED▼"))
        #expect(lines[7].contains("report") && lines[7].contains("running") && lines[7].contains("40%"))
        #expect(lines[size.rows - 2].contains("updated 12:00:00"))
        #expect(lines[size.rows - 1].hasPrefix("?Help"))
        // One table row per line between the titles and the status line, no more.
        let tableRows = size.rows - 9
        #expect(lines[7 + tableRows - 1].contains(Format.id(Fixtures.id(tableRows - 1), width: size.cols >= 120 ? 26 : 12)))
    }

    @Test(arguments: sizes)
    func selectedRowIsHighlightedAcrossTheWholeWidth(size: Size) {
        var s = state(size)
        _ = s.handle(.down)
        let c = draw(s)
        #expect((0..<size.cols).allSatisfy { c.style(8, $0) == .selection })
        #expect(c.style(7, 0) != .selection)
        // Unselected rows carry their state's colour in the state column.
        let stateCol = c.lines[6].range(of: "STATE").map { c.lines[6].distance(from: c.lines[6].startIndex, to: $0.lowerBound) }!
        #expect(c.style(7, stateCol) == .stateRunning)
        #expect(c.style(9, stateCol) == .stateFailed)
    }

    @Test(arguments: sizes)
    func scrollingKeepsTheSelectionOnScreen(size: Size) {
        var s = state(size, snapshot: Fixtures.snapshot(executions: 100))
        let lastRow = size.rows - 3
        _ = s.handle(.end)
        var c = draw(s)
        #expect(c.lines[lastRow].contains(Format.id(Fixtures.id(99), width: size.cols >= 120 ? 26 : 12)))
        #expect(c.style(lastRow, 0) == .selection)
        _ = s.handle(.pageUp)
        c = draw(s)
        let selected = (7...lastRow).filter { c.style($0, 0) == .selection }
        #expect(selected.count == 1)
        #expect(s.selectedRowID == Fixtures.id(99 - (size.rows - 9)))
        _ = s.handle(.home)
        c = draw(s)
        #expect(c.style(7, 0) == .selection)
        #expect(c.lines[7].contains(Format.id(Fixtures.id(0), width: size.cols >= 120 ? 26 : 12)))
    }

    @Test(arguments: sizes)
    func wideCharactersKeepColumnsAligned(size: Size) {
        var snap = Fixtures.snapshot()
        snap.executions[1].job = "日本語のレポート作成ジョブ"
        let c = draw(state(size, snapshot: snap))
        // Every row is exactly as wide as the screen, and the ATT column lines up.
        #expect(c.lines.allSatisfy { TextWidth.width($0) == size.cols })
        let attCol = { (line: String) -> Int? in
            guard let r = line.range(of: "/3 ") else { return nil }
            return TextWidth.width(String(line[..<r.lowerBound]))
        }
        #expect(attCol(c.lines[8]) != nil)
        #expect(attCol(c.lines[8]) == attCol(c.lines[7]))
    }

    @Test(arguments: sizes)
    func workersViewShowsBreakersOfTheSelectedWorker(size: Size) {
        var s = state(size)
        _ = s.handle(.char("2"))
        let c = draw(s)
        #expect(c.lines[6].hasPrefix("WORKER"))
        #expect(c.lines[7].contains("worker-a-20190") && c.lines[7].contains("open") && c.lines[7].contains("62.0%"))
        #expect(c.lines[8].contains("worker-b-20191") && c.lines[8].contains("30s"))
        let info = c.lines[size.rows - 3]
        #expect(info.hasPrefix("Breakers gw-1: closed"))
        #expect(info.contains("gw-2: open"))
    }

    @Test(arguments: sizes)
    func schedulesAndEventsViewsShowTheirRows(size: Size) {
        var s = state(size)
        _ = s.handle(.char("3"))
        var c = draw(s)
        #expect(c.lines[7].contains("tick") && c.lines[7].contains("paused"))
        // What the scheduler did instead of running shows as the outcome, not as "-".
        #expect(c.lines[7].contains("skipped:"))
        #expect(c.lines[8].contains("nightly-report") && c.lines[8].contains("in 14h00m"))
        // A paused schedule fires at no time; an interval in whole units.
        #expect(!c.lines[7].contains("in 12") && !c.lines[7].contains("30000ms"))
        if size.cols >= 120 { #expect(c.lines[7].contains("fixed-rate 30s")) }
        _ = s.handle(.char("4"))
        c = draw(s)
        #expect(c.lines[7].hasPrefix("12:00:00 dispatch"))
        #expect(c.lines[8].contains("fail") && c.lines[8].contains("exit_code 3"))
    }

    @Test func failureRateOfABreakerWithTooFewCallsIsADashNotZero() {
        var snap = Fixtures.snapshot()
        snap.workers = [WorkerRow(id: "worker-c-20192", host: "host-c", address: "127.0.0.1:20192", slots: 4, running: 0,
                                  jobTypes: ["noop"], breakers: [BreakerRow(gateway: "gw-1", state: "closed", failureRate: nil,
                                                                            slowRate: nil, calls: 2)],
                                  lastHeartbeat: Fixtures.t0)]
        var s = state(Size(rows: 40, cols: 120), snapshot: snap)
        _ = s.handle(.char("2"))
        let c = draw(s)
        let row = c.lines[7]
        #expect(row.contains("worker-c-20192") && !row.contains("0.0%"))
        #expect(c.row(containing: "fail - slow - 2 calls") != nil)
    }

    @Test(arguments: [80, 120, 200])
    func addressesKeepTheirPortAndJobTakesNoMoreThanItsShare(cols: Int) {
        var s = state(Size(rows: 30, cols: cols))
        _ = s.handle(.char("2"))
        var c = draw(s)
        // Whole, or not there at all: never cut before the port.
        let title = c.lines[6]
        if title.contains("ADDRESS") {
            #expect(c.lines[7].contains("127.0.0.1:20190") && c.lines[8].contains("127.0.0.1:20191"))
        }
        if cols >= 120 { #expect(title.contains("ADDRESS")) }
        _ = s.handle(.char("1"))
        c = draw(s)
        let widths = s.table.widths(for: cols)
        #expect(widths[1] <= 32, "JOB took \(widths[1]) cells of \(cols)")
        #expect(c.lines[6].contains("JOB"))
    }

    @Test(arguments: sizes)
    func helpScreenListsEveryKeyOfTheKeyTables(size: Size) {
        var s = state(size)
        _ = s.handle(.char("?"))
        let text = draw(s).lines.joined(separator: "\n")
        for b in KeyBindings.main {
            #expect(text.contains(b.label), "the help screen lacks \(b.label) (\(b.help))")
        }
        for m in KeyBindings.modes {
            #expect(text.contains(m.label), "the help screen lacks \(m.mode) keys \(m.label)")
        }
        // The keys the table binds are all named in its labels.
        for b in KeyBindings.main + [] {
            for k in b.keys { #expect(b.label.split(separator: " ").contains(Substring(k.helpName))) }
        }
        for name in ["Ctrl-B", "Ctrl-F", "Ctrl-C", "F2", "Ctrl-S"] { #expect(text.contains(name)) }
    }

    @Test func everyKeyTheStateMachineReadsIsOnTheHelpScreen() {
        // Keys that change something in some mode, found by pressing them; each must be on the help screen.
        let candidates: [Key] = [.up, .down, .left, .right, .pageUp, .pageDown, .home, .end, .enter, .escape, .tab, .backTab,
                                 .backspace, .f(1), .f(2), .f(4), .f(5), .f(6), .f(9), .f(10)]
            + "abcdefghijklmnopqrstuvwxyzGI/?1234 ".map { Key.char($0) } + "bcflsu".map { Key.ctrl($0) }
        let named = Set(Overlays.helpEntries.flatMap { $0.label.split(separator: " ").map(String.init) })
        var s = state(Size(rows: 40, cols: 120))
        for k in candidates where s.handle(k) != .ignored {
            #expect(named.contains(k.helpName), "\(k.helpName) does something in the list but is not on the help screen")
            s = state(Size(rows: 40, cols: 120))
        }
    }

    @Test(arguments: sizes)
    func detailViewShowsParametersAttemptsAndTheOutputTail(size: Size) {
        var s = state(size)
        _ = s.handle(.enter)
        var c = draw(s)
        #expect(c.row(containing: "loading…") != nil)
        s.apply(detail: Fixtures.detail(0, outputLines: 100))
        c = draw(s)
        #expect(c.lines[6].hasPrefix("Execution \(Fixtures.id(0))"))
        #expect(c.row(containing: "date=2025-11-25  format=pdf") != nil)
        #expect(c.row(containing: "failed exit_code 3") != nil)
        #expect(c.row(containing: "40%") != nil)
        // The newest output line sits just above the status line.
        #expect(c.lines[size.rows - 3].hasPrefix("line 100 of output"))
        _ = s.handle(.up)
        _ = s.handle(.up)
        c = draw(s)
        #expect(c.lines[size.rows - 3].hasPrefix("line 98 of output"))
        #expect(c.row(containing: "2 lines back") != nil)
    }

    @Test(arguments: sizes)
    func overlaysDrawOnTopOfTheView(size: Size) {
        var s = state(size)
        _ = s.handle(.char("c"))
        var c = draw(s)
        #expect(c.row(containing: "Cancel report execution \(Fixtures.id(0)) (running)?") != nil)
        #expect(c.lines[size.rows - 1].hasPrefix("yYes"))
        _ = s.handle(.char("n"))
        _ = s.handle(.char("t"))
        c = draw(s)
        #expect(c.row(containing: "loading job types…") != nil)
        s.apply(jobTypes: Fixtures.jobs)
        c = draw(s)
        #expect(c.row(containing: "report             date* format") != nil)
        _ = s.handle(.down)
        _ = s.handle(.enter)
        c = draw(s)
        #expect(c.row(containing: "Trigger report, unique by date") != nil)
        #expect(c.row(containing: "enum pdf|csv, default pdf") != nil)
        _ = s.handle(.escape)
        _ = s.handle(.char("?"))
        c = draw(s)
        #expect(c.row(containing: "batchtop keys") != nil)
        #expect(c.row(containing: "trigger a job") != nil)
    }

    @Test func filterShowsOnTheTabLineAndEmptyResultsSaySo() {
        var s = state(Size(rows: 24, cols: 80))
        _ = s.handle(.char("/"))
        for ch in "zzz" { _ = s.handle(.char(ch)) }
        let c = draw(s)
        #expect(c.lines[5].contains("filter: zzz_"))
        #expect(c.lines[5].contains("0/30 rows"))
        #expect(c.lines[7].contains("no executions match \"zzz\""))
        #expect(c.lines[23].hasPrefix("EnterDone"))
    }

    @Test func dataErrorTakesTheStatusLineAndDataStays() {
        var s = state(Size(rows: 24, cols: 80))
        s.apply(dataError: "redis 127.0.0.1:6379: connection refused")
        let c = draw(s)
        #expect(c.lines[22].hasPrefix("data source: redis 127.0.0.1:6379: connection refused (retrying)"))
        #expect(c.style(22, 0) == .error)
        #expect(c.lines[7].contains("report"))
    }

    @Test func beforeTheFirstSampleTheScreenSaysItIsWaiting() {
        let s = ConsoleState(size: Size(rows: 24, cols: 80), timeZone: Fixtures.utc)
        let c = draw(s)
        #expect(c.lines[7].contains("waiting for the first sample"))
        #expect(c.lines[0].contains("Workers"))
    }

    @Test(arguments: [Size(rows: 3, cols: 80), Size(rows: 24, cols: 10), Size(rows: 10, cols: 30), Size(rows: 0, cols: 0)])
    func tinyScreensDoNotCrash(size: Size) {
        var s = state(size)
        _ = s.handle(.char("t"))
        s.apply(jobTypes: Fixtures.jobs)
        let c = draw(s)
        #expect(c.lines.count == size.rows)
    }

    @Test func batchOutputIsPlainTextWithEveryRow() {
        let lines = BatchOutput.lines(Fixtures.snapshot(executions: 50), width: 100, timeZone: Fixtures.utc)
        #expect(lines.count == 53)
        #expect(lines[0] == "batchtop 11-25 12:00:00  workers 2/3  queue 12  running 3/8  throughput 1.25/s  success 97.5%  p95 1m02s")
        #expect(lines[1] == "PROBLEMS  breaker open worker-a-20190" && lines[2].hasPrefix("ID"))
        #expect(lines[3].hasPrefix(Fixtures.id(0)))
        #expect(lines.allSatisfy { !$0.contains("\u{1B}") && !$0.contains("…") })
        // One token per field: STATE alone, REASON beside it, a dated CREATED, no sort mark.
        let failed = lines[5].split(separator: " ", omittingEmptySubsequences: true)
        #expect(lines[2].split(separator: " ", omittingEmptySubsequences: true).map(String.init)
                == ["ID", "JOB", "STATE", "REASON", "ATT", "WORKER", "PROGRESS", "CREATED", "TIME"])
        #expect(failed[2] == "failed" && failed[3] == "exit_code" && failed[7] == "2025-11-25T11:59:46")
        #expect(lines[3].split(separator: " ", omittingEmptySubsequences: true)[6] == "40%")
        #expect(lines.dropFirst().allSatisfy { TextWidth.width($0) <= 140 && !$0.contains("▼") })
        let workers = BatchOutput.lines(Fixtures.snapshot(), view: .workers, width: 120, timeZone: Fixtures.utc)
        #expect(workers.count == 5)
        #expect(workers[3].hasPrefix("worker-a-20190"))
    }
}
