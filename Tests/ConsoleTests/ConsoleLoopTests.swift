import Foundation
import Terminal
import Testing
@testable import Console

/// A screen that plays a script: each step waits (with a deadline) until some text is
/// on screen, then presses a key. It records what went wrong instead of hanging.
final class ScriptedScreen: Screen {
    let grid: GridCanvas
    var steps: [(waitFor: String, key: Key)]
    var refreshes = 0
    /// Runs before each scripted key is pressed.
    var beforeKey: () -> Void = {}
    var failure: String?
    private var deadline = Date().addingTimeInterval(10)

    init(size: Size, steps: [(String, Key)]) {
        grid = GridCanvas(rows: size.rows, cols: size.cols)
        self.steps = steps.map { (waitFor: $0.0, key: $0.1) }
    }

    var size: Size { grid.size }
    func put(_ row: Int, _ col: Int, _ text: String, _ style: Style) { grid.put(row, col, text, style) }
    func fill(_ row: Int, _ col: Int, width: Int, _ char: Character, _ style: Style) { grid.fill(row, col, width: width, char, style) }
    func clear() { grid.clear() }
    func refresh() { refreshes += 1 }

    func readKey(timeoutMilliseconds: Int) -> Key? {
        guard let step = steps.first else { return .char("q") }
        if grid.row(containing: step.waitFor) != nil {
            steps.removeFirst()
            beforeKey()
            deadline = Date().addingTimeInterval(10)
            return step.key
        }
        if Date() > deadline {
            failure = "never saw \"\(step.waitFor)\"; screen:\n" + grid.trimmedLines.joined(separator: "\n")
            return .f(10)
        }
        Thread.sleep(forTimeInterval: Double(min(timeoutMilliseconds, 20)) / 1000)
        return nil
    }
}

struct ConsoleLoopTests {
    @Test func loopSamplesDrawsAndPerformsActionsUntilQuit() {
        let fake = FakeDataSource(snapshot: Fixtures.snapshot(), details: [Fixtures.id(0): Fixtures.detail(0)], jobs: Fixtures.jobs)
        let screen = ScriptedScreen(size: Size(rows: 24, cols: 80), steps: [
            ("running", .char("c")),
            ("Cancel report execution", .char("y")),
            ("cancel requested for \(Fixtures.id(0))", .enter),
            ("line 40 of output", .escape),
            ("?Help", .char("t")),
            ("sleep              seconds", .end),
            ("sleep              seconds", .enter),
            ("int 0..3600, default 1", .enter),
            ("now, a delay (15m) or a time with offset", .enter),
            ("triggered sleep:", .char("q")),
        ])
        var loop = ConsoleLoop(options: ConsoleOptions(delay: .milliseconds(100)), sampler: Sampler(fake), size: screen.size)
        loop.run(on: screen)
        #expect(screen.failure == nil, "\(screen.failure ?? "")")
        #expect(screen.steps.isEmpty)
        #expect(fake.recorded.cancels == [Fixtures.id(0)])
        #expect(fake.recorded.triggers.map(\.0) == ["sleep"])
        #expect(fake.recorded.triggers.map(\.1) == [["seconds": "1"]])
    }

    @Test func loopKeepsRunningWhileTheDataSourceFailsAndRecovers() {
        let fake = FakeDataSource(snapshot: Fixtures.snapshot())
        fake.fail("redis 127.0.0.1:1: connection refused")
        let screen = ScriptedScreen(size: Size(rows: 24, cols: 80), steps: [
            ("connection refused (retrying)", .char("2")),
            ("worker-a-20190", .char("q")),
        ])
        // Redis comes back once the console has shown the error.
        screen.beforeKey = { fake.fail(nil) }
        var loop = ConsoleLoop(options: ConsoleOptions(delay: .milliseconds(100)), sampler: Sampler(fake), size: screen.size)
        loop.run(on: screen)
        #expect(screen.failure == nil, "\(screen.failure ?? "")")
        #expect(fake.recorded.snapshots > 0)
    }

    @Test func liveIterationsStopTheLoopAfterThatManySamples() {
        let fake = FakeDataSource(snapshot: Fixtures.snapshot())
        let screen = ScriptedScreen(size: Size(rows: 24, cols: 80), steps: [("never on screen", .char("x"))])
        var loop = ConsoleLoop(options: ConsoleOptions(delay: .milliseconds(100), iterations: 2), sampler: Sampler(fake), size: screen.size)
        loop.run(on: screen)
        #expect(screen.failure == nil)
        #expect(fake.recorded.snapshots == 2)
        #expect(screen.refreshes >= 2)
    }
}
