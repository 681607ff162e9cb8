import BatchCore
import Terminal
import Testing
@testable import Console

/// The log view as a state: opening and closing it, scrolling, following, wrapping, searching.
struct LogViewTests {
    /// 24 rows: 21 of output under the title, above the status line and the function bar.
    static let size = Size(rows: 24, cols: 80)

    /// The executions list with execution `n` (0: running, 1: succeeded) selected.
    func state(selecting n: Int = 0) -> ConsoleState {
        var s = ConsoleState(size: Self.size, timeZone: Fixtures.utc)
        s.apply(snapshot: Fixtures.snapshot(executions: 30))
        for _ in 0..<n { _ = s.handle(.down) }
        return s
    }

    func press(_ s: inout ConsoleState, _ keys: Key...) {
        for k in keys { _ = s.handle(k) }
    }

    func shown(_ s: ConsoleState) -> Range<Int> {
        s.logView!.window(s.logLines, width: Self.size.cols, height: s.logHeight)
    }

    func draw(_ s: ConsoleState) -> GridCanvas {
        let c = GridCanvas(rows: s.size.rows, cols: s.size.cols)
        render(s, into: c)
        return c
    }

    @Test func lFromTheListOpensTheWholeLogFollowingARunningExecutionAndEscGoesBackToTheList() {
        var s = state()
        #expect(s.handle(.char("l")).action == .openLog(id: Fixtures.id(0)))
        #expect(s.openExecution == Fixtures.id(0) && s.logView?.follow == true)
        s.apply(detail: Fixtures.detail(0, outputLines: 100))
        #expect(shown(s) == 79..<100)
        let title = draw(s).lines[0]
        #expect(title.contains("Log \(Fixtures.id(0))") && title.contains("report") && title.contains("running"))
        #expect(title.contains("line 100 of 100") && title.contains("follow"))
        // Lines arrive: the view stays at the end.
        s.apply(detail: Fixtures.detail(0, outputLines: 120))
        #expect(shown(s) == 99..<120)
        press(&s, .escape)
        #expect(s.logView == nil && s.openExecution == nil)
    }

    @Test func fromTheDetailAFinishedExecutionOpensAtItsStartNotFollowingAndQGoesBackToTheDetail() {
        var s = state(selecting: 1)
        press(&s, .enter)
        s.apply(detail: Fixtures.detail(1, outputLines: 100))
        #expect(s.handle(.char("l")).action == .openLog(id: Fixtures.id(1)))
        #expect(s.logView?.follow == false && shown(s) == 0..<21)
        #expect(s.detail != nil)  // the detail already there is shown until the whole log arrives
        press(&s, .char("q"))
        #expect(s.logView == nil && s.openExecution == Fixtures.id(1))
        press(&s, .char("l"), .char("h"))
        #expect(s.logView == nil && s.openExecution == Fixtures.id(1) && s.overlay == .none)
    }

    @Test func scrollingLeavesTheEndAndStopsFollowingAndFTurnsItBackOn() {
        var s = state()
        press(&s, .char("l"))
        s.apply(detail: Fixtures.detail(0, outputLines: 100))
        press(&s, .up)
        #expect(s.logView?.follow == false && shown(s) == 78..<99)
        press(&s, .pageUp)
        #expect(shown(s) == 57..<78)
        press(&s, .home)
        #expect(shown(s) == 0..<21)
        press(&s, .pageDown, .down)
        #expect(shown(s) == 22..<43)
        press(&s, .end)
        #expect(shown(s) == 79..<100)
        s.apply(detail: Fixtures.detail(0, outputLines: 110))
        #expect(shown(s) == 79..<100)  // not following: the lines stay where they are
        press(&s, .char("f"))
        #expect(s.logView?.follow == true && shown(s) == 89..<110)
        press(&s, .char("f"))
        #expect(s.logView?.follow == false && shown(s) == 89..<110)
        press(&s, .down, .down)
        #expect(shown(s) == 89..<110)  // never past the end
    }

    @Test func wrapShowsALongLineOverSeveralRows() {
        var s = state(selecting: 1)
        press(&s, .char("l"))
        var d = Fixtures.detail(1, outputLines: 30)
        d.outputTail[0] = String(repeating: "x", count: 200) + "END"
        s.apply(detail: d)
        #expect(!draw(s).lines.joined().contains("END"))
        press(&s, .char("w"))
        let lines = draw(s).lines
        #expect(s.logView?.wrap == true && shown(s) == 0..<19)  // the first line takes three rows
        #expect(lines[3].hasPrefix("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxEND") && lines[4].hasPrefix("line 2 of output"))
        #expect(lines[0].contains("wrap"))
    }

    @Test func searchGoesToMatchesNextAndPreviousRoundTheEndAndHighlightsThem() {
        var s = state(selecting: 1)
        press(&s, .char("l"))
        var d = Fixtures.detail(1, outputLines: 100)
        for i in [9, 49, 89] { d.outputTail[i] = "line \(i + 1): Needle here" }
        s.apply(detail: d)
        press(&s, .char("/"), .char("n"), .char("e"), .char("e"), .char("d"), .char("x"), .backspace, .char("l"))
        #expect(s.logView?.typing == "needl")
        #expect(draw(s).lines[0].contains("/needl_"))
        press(&s, .char("e"), .enter)
        #expect(s.logView?.query == "needle" && s.logView?.typing == nil && shown(s).lowerBound == 9)
        let c = draw(s)
        #expect(c.lines[0].contains("/needle 1/3"))
        let col = c.lines[1].distance(from: c.lines[1].startIndex, to: c.lines[1].range(of: "Needle")!.lowerBound)
        #expect(c.style(1, col) == .selection && c.style(1, 0) == .normal)
        press(&s, .char("n"))
        #expect(shown(s).lowerBound == 49)
        press(&s, .char("n"), .char("n"))
        #expect(shown(s).lowerBound == 9)  // round the end
        press(&s, .char("N"))
        #expect(shown(s).lowerBound == 79)  // the last match's line, as far down as the end lets it go
        press(&s, .char("/"), .char("z"), .char("z"), .enter)
        #expect(s.message?.text == "no line matches \"zz\"")
        #expect(draw(s).lines[0].contains("/zz none"))
    }

    @Test func actionsQuitAndHelpStillWorkInTheLogView() {
        var s = state()
        press(&s, .char("l"))
        s.apply(detail: Fixtures.detail(0))
        press(&s, .char("c"))
        guard case .confirm(let dialog) = s.overlay else { Issue.record("no confirmation: \(s.overlay)"); return }
        #expect(dialog.action == .cancel(id: Fixtures.id(0)))
        press(&s, .char("n"))
        #expect(s.logView != nil)
        #expect(s.handle(.f(10)).flags.contains(.quit))
        #expect(s.handle(.char("x")) == .ignored)
    }
}
