import Foundation
import BatchCore
import Resilience
import Terminal
import Testing
@testable import Console

/// The keys that act on the fleet from the workers and schedules views: breakers forced
/// open, closed or reset on every gateway; schedules paused, resumed or run now. Each is
/// asked first and comes out as an action value for the run loop; nothing else happens.
struct FleetActionKeyTests {
    static let workerA = "worker-a-20190"
    static let workerB = "worker-b-20191"

    func state(_ view: ConsoleView, readOnly: Bool = false) -> ConsoleState {
        var s = ConsoleState(view: view, size: Size(rows: 24, cols: 80), timeZone: Fixtures.utc)
        s.readOnly = readOnly
        s.apply(snapshot: Fixtures.snapshot())
        return s
    }

    /// Moves the cursor onto the row `id`, whatever the view's sort.
    func select(_ s: inout ConsoleState, _ id: String) {
        _ = s.handle(.home)
        for _ in 0..<10 where s.selectedRowID != id { _ = s.handle(.down) }
        #expect(s.selectedRowID == id)
    }

    func question(_ s: ConsoleState) -> String? {
        guard case .confirm(let d) = s.overlay else { return nil }
        return d.question
    }

    @Test(arguments: [
        (Key.char("O"), BreakerOverride.forceOpen, "Force the breaker of worker worker-b-20191 open on every gateway?"),
        (.char("C"), .forceClose, "Force the breaker of worker worker-b-20191 closed on every gateway?"),
        (.char("R"), .reset, "Reset the breaker of worker worker-b-20191 to automatic on every gateway?"),
    ])
    func breakerKeysAskNamingTheWorkerThenYesRequestsTheOverride(key: Key, override: BreakerOverride, asked: String) {
        var s = state(.workers)
        select(&s, Self.workerB)
        #expect(s.handle(key).action == nil)
        #expect(question(s) == asked)
        let r = s.handle(.char("y"))
        #expect(r.action == .breaker(worker: Self.workerB, override))
        #expect(r.flags.contains(.redraw))
        #expect(s.overlay == .none)
        #expect(s.message?.text.contains("the breaker of \(Self.workerB)…") == true)
        #expect(s.message?.isError == false)
    }

    @Test(arguments: [Key.char("n"), .escape, .char("q"), .f(10), .ctrl("c")])
    func declinedBreakerOverrideRequestsNothing(decline: Key) {
        var s = state(.workers)
        select(&s, Self.workerA)
        _ = s.handle(.char("O"))
        #expect(s.handle(.char("z")).action == nil)  // other keys wait
        #expect(question(s) != nil)
        let r = s.handle(decline)
        #expect(r.action == nil && !r.flags.contains(.quit))
        #expect(s.overlay == .none)
        #expect(s.message?.text == "nothing done")
    }

    @Test(arguments: [
        (Key.char("P"), "nightly-report", ConsoleAction.pauseSchedule(name: "nightly-report", paused: true),
         "Pause schedule nightly-report for every scheduler?"),
        (.char("U"), "tick", .pauseSchedule(name: "tick", paused: false), "Resume schedule tick for every scheduler?"),
        (.char("T"), "nightly-report", .triggerSchedule(name: "nightly-report"),
         "Run schedule nightly-report's job report now? This starts a new execution."),
    ])
    func scheduleKeysAskNamingTheScheduleThenYesRequestsTheAction(key: Key, schedule: String, action: ConsoleAction, asked: String) {
        var s = state(.schedules)
        select(&s, schedule)
        #expect(s.handle(key).action == nil)
        #expect(question(s) == asked)
        #expect(s.handle(.char("y")).action == action)
        #expect(s.overlay == .none)
        #expect(s.message?.text.contains(schedule) == true)
    }

    @Test func pausingAPausedScheduleStillAsksAndSaysItShowsPaused() {
        var s = state(.schedules)
        select(&s, "tick")  // paused in the fixture
        _ = s.handle(.char("P"))
        #expect(question(s) == "Pause schedule tick for every scheduler? It shows as paused already.")
        #expect(s.handle(.char("y")).action == .pauseSchedule(name: "tick", paused: true))
        select(&s, "nightly-report")
        _ = s.handle(.char("U"))
        #expect(question(s) == "Resume schedule nightly-report for every scheduler? It does not show as paused.")
    }

    @Test(arguments: [
        (ConsoleView.executions, Key.char("O"), "select a worker in view 2"),
        (.schedules, .char("C"), "select a worker in view 2"),
        (.events, .char("R"), "select a worker in view 2"),
        (.executions, .char("P"), "select a schedule in view 3"),
        (.workers, .char("U"), "select a schedule in view 3"),
        (.events, .char("T"), "select a schedule in view 3"),
    ])
    func fleetKeysOutsideTheirViewSayWhereAndAskNothing(view: ConsoleView, key: Key, hint: String) {
        var s = state(view)
        let r = s.handle(key)
        #expect(r.action == nil)
        #expect(s.overlay == .none)
        #expect(s.message?.isError == true)
        #expect(s.message?.text.contains(hint) == true, "\(s.message?.text ?? "no message")")
    }

    @Test func fleetKeysOnAnEmptyViewSayNothingIsSelected() {
        var s = ConsoleState(view: .workers, size: Size(rows: 24, cols: 80), timeZone: Fixtures.utc)
        _ = s.handle(.char("O"))
        #expect(s.overlay == .none)
        #expect(s.message == .init(text: "no worker selected", isError: true))
        _ = s.handle(.char("3"))
        _ = s.handle(.char("T"))
        #expect(s.overlay == .none)
        #expect(s.message == .init(text: "no schedule selected", isError: true))
    }

    @Test func fleetKeysInsideAnOpenExecutionDoNothing() {
        var s = state(.executions)
        _ = s.handle(.enter)
        for key in "OCRPUT" { #expect(s.handle(.char(key)) == .ignored) }
        #expect(s.overlay == .none)
    }

    @Test func readOnlyRefusesEveryFleetActionWithAMessage() {
        for (view, keys) in [(ConsoleView.workers, "OCR"), (.schedules, "PUT")] {
            var s = state(view, readOnly: true)
            for key in keys {
                let r = s.handle(.char(key))
                #expect(r.action == nil)
                #expect(s.overlay == .none, "\(key) asked in read-only")
                #expect(s.message?.isError == true && s.message?.text.hasPrefix("read-only: batchtop was started with --read-only") == true)
            }
        }
    }

    @Test func theSelectedWorkerIsTheOneActedOnWhenRowsArriveAboveIt() {
        var s = state(.workers)
        select(&s, Self.workerB)
        var snap = Fixtures.snapshot()
        snap.workers.insert(WorkerRow(id: "worker-0-20180", host: "h", address: "a", slots: 1, running: 0, jobTypes: [],
                                      lastHeartbeat: Fixtures.t0), at: 0)
        s.apply(snapshot: snap)
        _ = s.handle(.char("O"))
        #expect(s.handle(.char("y")).action == .breaker(worker: Self.workerB, .forceOpen))
    }

    @Test func everyKeyIsBoundToOneCommandOnly() {
        let keys = KeyBindings.main.flatMap(\.keys).map(\.helpName)
        #expect(Set(keys).count == keys.count, "a key is bound twice: \(keys)")
        for (key, command) in [("O", Command.breaker(.forceOpen)), ("C", .breaker(.forceClose)), ("R", .breaker(.reset)),
                               ("P", .pauseSchedule), ("U", .resumeSchedule), ("T", .triggerSchedule)] {
            #expect(KeyBindings.command(for: .char(Character(key))) == command)
        }
    }

    @Test func theFunctionBarShowsTheKeysOfTheView() {
        let workers = FunctionBar.items(for: state(.workers)).map(\.0)
        #expect(["O", "C", "R"].allSatisfy(workers.contains))
        let schedules = FunctionBar.items(for: state(.schedules)).map(\.0)
        #expect(["P", "U", "T"].allSatisfy(schedules.contains))
    }
}

/// The confirmation as drawn: a question wider than the screen is wrapped, so the name of
/// what is acted on (at its end) is never cut off.
struct ConfirmDialogRenderTests {
    @Test(arguments: [Size(rows: 24, cols: 80), Size(rows: 24, cols: 50)])
    func aLongQuestionIsWrappedNotCut(size: Size) {
        let long = "worker-build-farm-node-017.eu-west-1.internal-20190"
        var snap = Fixtures.snapshot()
        snap.workers = [WorkerRow(id: long, host: "h", address: "127.0.0.1:20190", slots: 1, running: 0, jobTypes: [],
                                  lastHeartbeat: Fixtures.t0)]
        var s = ConsoleState(view: .workers, size: size, timeZone: Fixtures.utc)
        s.apply(snapshot: snap)
        _ = s.handle(.char("R"))
        let c = GridCanvas(rows: size.rows, cols: size.cols)
        render(s, into: c)
        // The dialog's text, inside the frame, as one line of words.
        let inside = c.lines.filter { $0.contains("│") }
            .map { $0.split(separator: "│", omittingEmptySubsequences: false).dropFirst().first.map(String.init) ?? "" }
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let text = inside.joined(separator: " ")
        #expect(text.contains("Reset the breaker of worker"))
        #expect(text.replacingOccurrences(of: " ", with: "").contains(long), "\(inside)")
        #expect(text.contains("to automatic on every gateway?"))
        #expect(text.contains("y: yes"))
    }

    @Test func wrapKeepsWordsWhole() {
        #expect(Overlays.wrap("Pause schedule nightly for every scheduler?", to: 16)
                == ["Pause schedule", "nightly for", "every scheduler?"])
        #expect(Overlays.wrap("abcdefghij", to: 4) == ["abcd", "efgh", "ij"])
        #expect(Overlays.wrap("", to: 4) == [""])
    }
}
