import Platform
import Foundation
import Glibc
import Terminal

/// Runs batchtop until the operator quits (or, in batch mode, for `iterations`
/// snapshots) and returns the exit status: 0 when all went well, 1 when the terminal
/// could not be used or, in batch mode, the data could not be read, 2 for bad options.
/// Call it from the main thread: curses is used from this thread only.
public func runConsole(options: ConsoleOptions, dataSource: any ConsoleDataSource) -> Int32 {
    do {
        try options.validate()
    } catch {
        printError("batchtop: \(error)")
        return 2
    }
    if options.batch {
        let width = options.batchWidth ?? ProcessInfo.processInfo.environment["COLUMNS"].flatMap { Int($0) } ?? 120
        return runBatch(options: options, dataSource: dataSource, width: width)
    }
    let screen: CursesScreen
    do {
        screen = try CursesScreen(color: options.color)
    } catch {
        printError("batchtop: \(error)")
        return 1
    }
    defer { screen.close() }
    var loop = ConsoleLoop(options: options, sampler: Sampler(dataSource), size: screen.size)
    loop.run(on: screen)
    return 0
}

/// The live console's loop: sample when the delay has passed, redraw only when
/// something changed, wait for one key with a timeout, hand the key to the state.
struct ConsoleLoop {
    var state: ConsoleState
    let options: ConsoleOptions
    let sampler: Sampler
    private var samples = 0

    init(options: ConsoleOptions, sampler: Sampler, size: Size) {
        self.options = options
        self.sampler = sampler
        state = ConsoleState(view: options.view, size: size)
        state.filter = options.filter
        state.readOnly = options.readOnly
    }

    mutating func run(on screen: some Screen) {
        let clock = ContinuousClock()
        var nextSample = clock.now
        var dirty = true
        while true {
            let now = clock.now
            if now >= nextSample, !sampler.sampling {
                if let n = options.iterations, samples >= n { return }
                sampler.sample(filter: state.filter, limit: options.limit, detail: state.openExecution, wholeLog: state.logView != nil)
                samples += 1
                nextSample = now + options.delay
            }
            for m in sampler.take() {
                state.apply(m)
                dirty = true
                if case .actionDone(_, false) = m { nextSample = clock.now }  // show the action's effect at once
            }
            if dirty {
                state.resize(screen.size)
                render(state, into: screen)
                screen.refresh()
                dirty = false
            }
            // Wake for the next sample, and often enough to show answers soon after they arrive.
            let untilSample = max(nextSample - clock.now, .zero)
            let wait = min(untilSample, .milliseconds(100))
            guard let key = screen.readKey(timeoutMilliseconds: max(Int(clamping: wait.inMilliseconds), 10)) else { continue }
            if key == .resize { state.resize(screen.size) }
            let result = state.handle(key)
            if result.flags.contains(.quit) { return }
            if result.flags.contains(.redraw) { dirty = true }
            if result.flags.contains(.rescan) { nextSample = clock.now }
            if let action = result.action {
                sampler.perform(action)
            }
        }
    }
}

/// Batch mode: `iterations` snapshots (or until interrupted), one every `delay`.
/// Output, errors and waiting are passed in so tests neither print nor sleep.
func runBatch(options: ConsoleOptions, dataSource: any ConsoleDataSource, width: Int,
              write: (String) -> Void = writeOut, error: (String) -> Void = printError,
              wait: (Duration) -> Void = { Thread.sleep(forTimeInterval: $0.inSeconds) }) -> Int32 {
    var i = 0
    while options.iterations.map({ i < $0 }) ?? true {
        if i > 0 { wait(options.delay) }
        do {
            let snap = try dataSource.snapshot(filter: options.filter.isEmpty ? nil : options.filter, limit: options.limit)
            let lines = BatchOutput.render(snap, format: options.batchFormat, view: options.view, filter: options.filter, width: width)
            // Text snapshots are parted by a blank line; TSV and JSON are one record per line.
            write((i > 0 && options.batchFormat == .text ? "\n" : "") + lines.joined(separator: "\n") + "\n")
        } catch let e {
            error("batchtop: \(ConsoleError.dataSource(String(describing: e)))")
            return 1
        }
        i += 1
    }
    return 0
}

func writeOut(_ s: String) {
    FileHandle.standardOutput.write(Data(s.utf8))
}

func printError(_ s: String) {
    FileHandle.standardError.write(Data((s + "\n").utf8))
}
