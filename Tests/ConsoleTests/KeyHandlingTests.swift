import BatchCore
import Terminal
import Testing
@testable import Console

struct KeyHandlingTests {
    func state(_ size: Size = Size(rows: 24, cols: 80), executions: Int = 30) -> ConsoleState {
        var s = ConsoleState(size: size, timeZone: Fixtures.utc)
        s.apply(snapshot: Fixtures.snapshot(executions: executions))
        return s
    }

    func press(_ s: inout ConsoleState, _ keys: Key...) -> HandlerResult {
        var last = HandlerResult.ignored
        for k in keys { last = s.handle(k) }
        return last
    }

    // Default sort is newest first, so the rows appear as id(0), id(1), ...
    @Test(arguments: [
        ([Key.down], 1), ([.char("j"), .char("j")], 2), ([.down, .up], 0), ([.up], 0),
        ([.end], 29), ([.char("G"), .char("k")], 28), ([.end, .home], 0),
        ([.pageDown], 15), ([.pageDown, .pageDown], 29), ([.pageDown, .pageUp], 0),
    ])
    func movementKeysMoveTheSelectionWithinTheRows(keys: [Key], expected: Int) {
        var s = state()
        for k in keys { _ = s.handle(k) }
        #expect(s.selectedRowID == Fixtures.id(expected))
    }

    @Test func selectionFollowsItsRowWhenNewDataReordersTheRows() {
        var s = state()
        _ = press(&s, .down, .down)
        #expect(s.selectedRowID == Fixtures.id(2))
        var snap = Fixtures.snapshot(executions: 30)
        snap.executions.insert(ExecutionRow(id: Fixtures.id(99), job: "new", state: .queued,
                                            created: Fixtures.t0.addingTimeInterval(5)), at: 0)
        s.apply(snapshot: snap)
        #expect(s.selectedRowID == Fixtures.id(2))
    }

    @Test func numberKeysSwitchViewsAndQuitKeysQuit() {
        var s = state()
        #expect(press(&s, .char("2")) == .redraw)
        #expect(s.view == .workers)
        _ = press(&s, .char("4"))
        #expect(s.view == .events)
        #expect(press(&s, .char("q")).flags.contains(.quit))
        #expect(press(&s, .f(10)).flags.contains(.quit))
        #expect(press(&s, .ctrl("c")).flags.contains(.quit))
        #expect(press(&s, .char("x")) == .ignored)
    }

    @Test func enterOpensTheSelectedExecutionAndEscapeGoesBack() {
        var s = state()
        let r = press(&s, .down, .enter)
        #expect(r.action == .openExecution(id: Fixtures.id(1)))
        #expect(s.openExecution == Fixtures.id(1))
        s.apply(detail: Fixtures.detail(1))
        #expect(s.detail != nil)
        s.apply(detail: Fixtures.detail(2))  // a late answer for another execution is dropped
        #expect(s.detail?.row.id == Fixtures.id(1))
        _ = press(&s, .escape)
        #expect(s.openExecution == nil)
        #expect(s.detail == nil)
    }

    @Test func enterOnAnEventOpensItsExecutionAndHMeansHelpInTheDetailToo() {
        var s = state()
        _ = press(&s, .enter)
        _ = press(&s, .char("h"))
        #expect(s.overlay == .help)
        #expect(s.openExecution == Fixtures.id(0))
    }

    @Test func enterOnAnEventOpensItsExecution() {
        var s = state()
        _ = press(&s, .char("4"))
        #expect(press(&s, .enter).action == .openExecution(id: Fixtures.id(0)))
    }

    @Test func cancelAsksFirstAndOnlyYesSendsIt() {
        var s = state()  // row 0 is running
        #expect(press(&s, .char("c")).action == nil)
        guard case .confirm = s.overlay else { Issue.record("no confirmation dialog"); return }
        #expect(press(&s, .char("z")).action == nil)  // other keys wait
        #expect(press(&s, .char("n")).action == nil)
        #expect(s.overlay == .none)
        _ = press(&s, .char("c"))
        #expect(press(&s, .char("y")).action == .cancel(id: Fixtures.id(0)))
        #expect(s.overlay == .none)
    }

    @Test func cancelOfAFinishedExecutionExplainsInsteadOfAsking() {
        var s = state()
        _ = press(&s, .down, .char("c"))  // row 1 succeeded
        #expect(s.overlay == .none)
        #expect(s.message?.isError == true)
        #expect(s.message?.text.contains("nothing to cancel") == true)
    }

    @Test func retryOnlyForFinishedExecutions() {
        var s = state()
        #expect(press(&s, .char("r")).action == nil)  // running
        #expect(s.message?.text.contains("only a finished execution") == true)
        #expect(press(&s, .down, .down, .char("r")).action == nil)  // failed: asks first
        guard case .confirm(let d) = s.overlay else { Issue.record("no confirmation dialog"); return }
        #expect(d.question.contains(Fixtures.id(2)) && d.question.contains("failed:exit_code"))
        #expect(press(&s, .char("y")).action == .retry(id: Fixtures.id(2)))
    }

    @Test func retryAsksFirstSoASecondPressDoesNotRunTheJobTwice() {
        var s = state()
        _ = press(&s, .down, .down)  // failed
        #expect(press(&s, .char("r")).action == nil)
        #expect(press(&s, .char("r")).action == nil)  // the dialog waits; nothing sent
        #expect(press(&s, .char("n")).action == nil)
        #expect(s.overlay == .none)
        #expect(press(&s, .char("r"), .escape).action == nil)
        _ = press(&s, .char("r"))
        #expect(press(&s, .char("y")).action == .retry(id: Fixtures.id(2)))
        #expect(s.overlay == .none)
    }

    @Test func quitKeysInsideTheTriggerFormCloseTheFormNotTheConsole() {
        for quitKey in [Key.f(10), .ctrl("c")] {
            var s = state()
            s.apply(jobTypes: Fixtures.jobs)
            _ = press(&s, .char("t"), .down)  // the form is open, a job type chosen
            guard case .trigger = s.overlay else { Issue.record("no trigger form"); return }
            let r = press(&s, quitKey)
            #expect(!r.flags.contains(.quit))
            #expect(s.overlay == .none)
            #expect(s.message?.text.contains("nothing was sent") == true)
            #expect(press(&s, quitKey).flags.contains(.quit))  // from the view, it quits
        }
        var s = state()
        _ = press(&s, .down, .char("c"))
        _ = press(&s, .up, .char("c"))
        #expect(!press(&s, .ctrl("c")).flags.contains(.quit))  // a confirmation is declined, not the console quit
        #expect(s.overlay == .none)
    }

    @Test func enterOnlyOpensRowsThatNameAnExecution() {
        var s = state()
        _ = press(&s, .char("4"), .end)  // the oldest event is about a schedule, not an execution
        let r = press(&s, .enter)
        #expect(r.action == nil)
        #expect(s.openExecution == nil)
        #expect(s.message?.text.contains("names no execution") == true)
        _ = press(&s, .char("3"))  // schedules: one names its last execution, one names none
        let rows = s.visibleRows
        let named = rows.firstIndex { $0.id == "nightly-report" }!, unnamed = rows.firstIndex { $0.id == "tick" }!
        _ = press(&s, .home)
        for _ in 0..<unnamed { _ = press(&s, .down) }
        #expect(press(&s, .enter).action == nil)
        _ = press(&s, .home)
        for _ in 0..<named { _ = press(&s, .down) }
        #expect(press(&s, .enter).action == .openExecution(id: Fixtures.id(3)))
    }

    @Test func readOnlyRefusesEveryActionWithAMessage() {
        var s = state()
        s.readOnly = true
        for key in [Key.char("t"), .f(5), .char("c"), .f(9), .char("r")] {
            _ = press(&s, .down, .down)  // a failed row (retry) after a running one (cancel)
            let r = press(&s, key)
            #expect(r.action == nil)
            #expect(s.overlay == .none, "\(key) opened something in read-only")
            #expect(s.message?.isError == true && s.message?.text.contains("read-only") == true)
            _ = press(&s, .home)
        }
        _ = press(&s, .enter)  // watching still works
        #expect(s.openExecution == Fixtures.id(0))
        #expect(press(&s, .char("c")).action == nil)
        #expect(s.overlay == .none)
    }

    @Test func aNewFilterShowsItsRowsFromTheTop() {
        var s = state()
        _ = press(&s, .end)
        #expect(s.selectedRowID == Fixtures.id(29))
        _ = press(&s, .char("/"), .char("r"))
        #expect(s.selectedRowID == s.visibleRows.first?.id)
        #expect(s.firstRow(selection: 0, count: s.visibleRows.count) == 0)
    }

    @Test func theSelectionIsNamedBeforeTheFirstMoveSoArrivingRowsDoNotShiftIt() {
        var s = state()  // nothing pressed yet: row 0 (a running execution) is selected
        #expect(s.selectedRowID == Fixtures.id(0))
        var snap = Fixtures.snapshot(executions: 30)
        snap.executions.insert(ExecutionRow(id: Fixtures.id(98), job: "new", state: .running,
                                            created: Fixtures.t0.addingTimeInterval(5)), at: 0)
        s.apply(snapshot: snap)
        #expect(s.visibleRows.first?.id == Fixtures.id(98))
        _ = press(&s, .char("c"))
        guard case .confirm(let d) = s.overlay else { Issue.record("no confirmation dialog"); return }
        #expect(d.action == .cancel(id: Fixtures.id(0)))
    }

    @Test func theEventsSelectionStaysOnItsEventAsNewEventsArrive() {
        var s = state()
        _ = press(&s, .char("4"), .down)  // the second newest: the failure of id(2)
        #expect(s.visibleRows[1].execution == Fixtures.id(2))
        let before = s.selectedRowID
        var snap = Fixtures.snapshot(executions: 30)
        snap.events.append(EventRow(time: Fixtures.t0.addingTimeInterval(1), type: "succeed", id: Fixtures.id(5),
                                    text: "", execution: Fixtures.id(5), key: "1764072001000-0"))
        s.apply(snapshot: snap)
        #expect(s.selectedRowID == before)
        #expect(press(&s, .enter).action == .openExecution(id: Fixtures.id(2)))
    }

    @Test func theFilterMatchesTheShownStateTheErrorTextAndAllItsWords() {
        var s = ConsoleState(size: Size(rows: 24, cols: 80), timeZone: Fixtures.utc)
        var snap = Fixtures.snapshot(executions: 0)
        snap.executions = [
            ExecutionRow(id: Fixtures.id(1), job: "etl", state: .failed, reason: "worker_lost", created: Fixtures.t0),
            ExecutionRow(id: Fixtures.id(2), job: "etl", state: .failed, reason: "exit_code", created: Fixtures.t0,
                         error: "exit 3: disk quota exceeded"),
            ExecutionRow(id: Fixtures.id(3), job: "etl", state: .succeeded, created: Fixtures.t0),
            ExecutionRow(id: Fixtures.id(4), job: "report", state: .failed, reason: "exit_code", created: Fixtures.t0,
                         error: "exit 1: quota"),
        ]
        s.apply(snapshot: snap)
        func matches(_ f: String) -> Set<String> {
            s.filter = f
            return Set(s.visibleRows.map(\.id))
        }
        #expect(matches("failed:worker_lost") == [Fixtures.id(1)])
        #expect(matches("lost") == [Fixtures.id(1)])
        #expect(matches("quota") == [Fixtures.id(2), Fixtures.id(4)])
        #expect(matches("etl quota") == [Fixtures.id(2)])
        #expect(matches("failed etl") == [Fixtures.id(1), Fixtures.id(2)])
        #expect(matches(#""disk quota" etl"#) == [Fixtures.id(2)])
        // The store's search applied these; the rows' text does not show them.
        #expect(matches("job:etl since:1h quota") == [Fixtures.id(2), Fixtures.id(4)])
    }

    @Test func cancelAndRetryWorkOnTheOpenExecution() {
        var s = state()
        _ = press(&s, .enter)
        s.apply(detail: Fixtures.detail(0))
        _ = press(&s, .char("c"))
        #expect(press(&s, .char("y")).action == .cancel(id: Fixtures.id(0)))
        #expect(s.openExecution == Fixtures.id(0))
    }

    @Test func cancelOutsideTheExecutionsViewSaysWhere() {
        var s = state()
        _ = press(&s, .char("2"), .char("c"))
        #expect(s.overlay == .none)
        #expect(s.message?.text.contains("view 1") == true)
    }

    @Test func filterNarrowsRowsAsYouTypeAndEscapeClearsIt() {
        var s = state()
        #expect(press(&s, .char("/")) == .redraw)
        let r = press(&s, .char("F"), .char("a"), .char("i"), .char("l"))
        #expect(r.flags.contains(.rescan))
        #expect(s.filter == "Fail")
        #expect(s.visibleRows.allSatisfy { $0.searchText.contains("fail") })
        #expect(s.visibleRows.count == 4)
        _ = press(&s, .backspace)
        #expect(s.filter == "Fai")
        _ = press(&s, .enter)
        #expect(s.overlay == .none)
        #expect(s.filter == "Fai")
        _ = press(&s, .char("/"), .escape)
        #expect(s.filter.isEmpty)
        #expect(s.visibleRows.count == 30)
    }

    @Test func sortCyclesColumnsAndInvertFlipsTheOrder() {
        var s = state()
        #expect(s.sort(of: .executions) == SortOrder(column: 6, descending: true))
        _ = press(&s, .char("s"))
        #expect(s.sort(of: .executions) == SortOrder(column: 7, descending: true))
        _ = press(&s, .char("s"))
        #expect(s.sort(of: .executions) == SortOrder(column: 0, descending: false))
        _ = press(&s, .char("I"))
        #expect(s.sort(of: .executions) == SortOrder(column: 0, descending: true))
        #expect(s.visibleRows.first?.id == Fixtures.id(29))
        #expect(s.sort(of: .workers) == ConsoleView.workers.defaultSort)  // each view keeps its own
    }

    @Test func helpClosesOnAnyKey() {
        var s = state()
        _ = press(&s, .char("?"))
        #expect(s.overlay == .help)
        #expect(press(&s, .char("q")) == .redraw)  // closes help, does not quit
        #expect(s.overlay == .none)
    }

    @Test func triggerAsksForJobTypesThenSendsValidatedParameters() {
        var s = state()
        #expect(press(&s, .char("t")).action == .loadJobTypes)
        s.apply(jobTypes: Fixtures.jobs)  // sorted: noop, report, sleep
        _ = press(&s, .down, .enter)      // report
        guard case .trigger(let form) = s.overlay, case .editParams(let job) = form.step else {
            Issue.record("not editing parameters"); return
        }
        #expect(job.name == "report")
        #expect(form.values == ["", "pdf", "now"])  // defaults filled in, then when to run it
        // Enter on the last field (when to run it) submits: the required date is empty, so it is refused.
        #expect(press(&s, .tab, .enter).action == nil)
        guard case .trigger(let onRun) = s.overlay else { Issue.record("form closed"); return }
        #expect(onRun.field == onRun.runField)
        #expect(press(&s, .enter).action == nil)
        guard case .trigger(let refused) = s.overlay else { Issue.record("form closed"); return }
        #expect(refused.field == 0)
        #expect(refused.problems[0] == "date is required")
        for c in "2025-11-25" { _ = s.handle(.char(c)) }
        _ = press(&s, .tab, .ctrl("u"))
        for c in "csv" { _ = s.handle(.char(c)) }
        let r = press(&s, .enter, .enter)
        #expect(r.action == .trigger(job: "report", params: ["date": "2025-11-25", "format": "csv"]))
        #expect(s.overlay == .none)
    }

    @Test func theTriggerFormRunsLaterWhenToldWhen() {
        var s = state()
        _ = press(&s, .char("t"))
        s.apply(jobTypes: Fixtures.jobs)
        _ = press(&s, .enter)  // noop: only the run field
        _ = press(&s, .ctrl("u"))
        for c in "soon" { _ = s.handle(.char(c)) }
        #expect(press(&s, .enter).action == nil, "a run field that says no time is refused")
        guard case .trigger(let refused) = s.overlay else { Issue.record("form closed"); return }
        #expect(refused.problems[refused.runField] == TriggerForm.runHint)
        _ = press(&s, .ctrl("u"))
        for c in "in 15m" { _ = s.handle(.char(c)) }
        #expect(press(&s, .enter).action == .trigger(job: "noop", params: [:], runLater: .after(900_000)))
        _ = press(&s, .char("t"), .enter, .ctrl("u"))
        for c in "2030-01-02T03:04:05Z" { _ = s.handle(.char(c)) }
        #expect(press(&s, .f(2)).action == .trigger(job: "noop", params: [:], runLater: .at(1_893_553_445_000)))
    }

    @Test func triggerOfAJobWithoutParametersAsksOnlyWhenAndEscapeCancels() {
        var s = state()
        _ = press(&s, .char("t"))
        s.apply(jobTypes: Fixtures.jobs)
        #expect(press(&s, .enter).action == nil)
        #expect(press(&s, .enter).action == .trigger(job: "noop", params: [:]))
        _ = press(&s, .char("t"), .escape)
        #expect(s.overlay == .none)
    }

    @Test func dataErrorsShowUntilTheNextGoodSample() {
        var s = state()
        s.apply(dataError: "redis at 127.0.0.1:6379: connection refused")
        #expect(s.dataError != nil)
        #expect(s.snapshot != nil)  // the last good data stays on screen
        s.apply(snapshot: Fixtures.snapshot())
        #expect(s.dataError == nil)
    }
}
