import Foundation
import Synchronization
import Testing
@testable import Daemon

/// Shared record of what the services did, in order.
final class Journal: Sendable {
    private let entries = Mutex<[String]>([])
    func add(_ e: String) { entries.withLock { $0.append(e) } }
    var all: [String] { entries.withLock { $0 } }
}

/// A service whose start and run behave as a test says, recording each step.
struct ScriptedService: Service {
    enum RunBehaviour: Sendable {
        case untilStopped
        case ignoresStop            // a wedged service: returns only when its task is cancelled
        case fails(after: Duration)
        case returns(after: Duration)
    }
    let name: String
    let journal: Journal
    var startError: String? = nil
    var run: RunBehaviour = .untilStopped
    var stopTakes: Duration = .zero
    let stopSignal = StopSignal()

    struct Failure: Error, CustomStringConvertible { let description: String }

    func start() async throws {
        journal.add("start \(name)")
        if let startError { throw Failure(description: startError) }
    }

    func run() async throws {
        defer { journal.add("exit \(name)") }
        switch run {
        case .untilStopped:
            await stopSignal.wait()
            if stopTakes > .zero { try? await Task.sleep(for: stopTakes) }
        case .ignoresStop:
            let never = StopSignal()
            await never.wait()  // returns only on cancellation
        case .fails(let d):
            try? await Task.sleep(for: d)
            throw Failure(description: "disk on fire")
        case .returns(let d):
            try? await Task.sleep(for: d)
        }
    }

    func stop() async {
        journal.add("stop \(name)")
        stopSignal.stop()
    }
}

/// Polls `condition` until it holds or `timeout` passes; never a fixed sleep.
func eventually(timeout: Duration = .seconds(30), _ condition: @Sendable () -> Bool) async -> Bool {
    let end = ContinuousClock.now + timeout
    while ContinuousClock.now < end {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return condition()
}

struct ServiceGroupTests {
    func group(_ services: [any Service], drain: Duration = .seconds(10), notifier: SystemdNotifier = .init(address: nil),
               logs: LineCollector = LineCollector(), onReload: (@Sendable () async -> Void)? = nil) -> ServiceGroup {
        ServiceGroup(services: services, logger: Logger(label: "test", threshold: .debug, sink: logs.sink()),
                     drainDeadline: drain, notifier: notifier, onReload: onReload)
    }

    @Test func startsInOrderAndStopsInReverseWaitingForEach() async throws {
        let j = Journal()
        let g = group([ScriptedService(name: "a", journal: j),
                       ScriptedService(name: "b", journal: j, stopTakes: .milliseconds(50)),
                       ScriptedService(name: "c", journal: j)])
        let run = Task { try await g.run() }
        #expect(await eventually { j.all.count == 3 })
        g.requestStop()
        try await run.value
        #expect(j.all == ["start a", "start b", "start c",
                          "stop c", "exit c", "stop b", "exit b", "stop a", "exit a"])
    }

    @Test func aFailingServiceStopsTheOthersAndTheGroupThrows() async throws {
        let j = Journal()
        let g = group([ScriptedService(name: "a", journal: j),
                       ScriptedService(name: "b", journal: j, run: .fails(after: .milliseconds(20))),
                       ScriptedService(name: "c", journal: j)])
        await #expect {
            try await g.run()
        } throws: { e in
            guard case DaemonError.serviceFailed(let s, let u) = e else { return false }
            return s == "b" && u == "disk on fire"
        }
        let steps = j.all
        #expect(steps.firstIndex(of: "stop c")! < steps.firstIndex(of: "stop a")!)
        #expect(!steps.contains("stop b"))
        #expect(steps.contains("exit a") && steps.contains("exit c"))
    }

    @Test func aServiceEndingUnaskedStopsTheGroup() async throws {
        let j = Journal()
        let g = group([ScriptedService(name: "a", journal: j),
                       ScriptedService(name: "oneshot", journal: j, run: .returns(after: .milliseconds(10)))])
        await #expect {
            try await g.run()
        } throws: { e in
            guard case DaemonError.serviceExited("oneshot") = e else { return false }
            return true
        }
        #expect(j.all.contains("exit a"))
    }

    @Test func aFailedStartStopsWhatStartedAndStartsNothingAfter() async throws {
        let j = Journal()
        let g = group([ScriptedService(name: "a", journal: j),
                       ScriptedService(name: "b", journal: j, startError: "port 20200 in use"),
                       ScriptedService(name: "c", journal: j)])
        await #expect {
            try await g.run()
        } throws: { e in
            guard case DaemonError.startFailed("b", let u) = e else { return false }
            return u == "port 20200 in use"
        }
        #expect(j.all == ["start a", "start b", "stop a", "exit a"])
    }

    @Test func drainDeadlineIsHonouredWhenAServiceIgnoresStop() async throws {
        let j = Journal()
        let g = group([ScriptedService(name: "a", journal: j),
                       ScriptedService(name: "wedged", journal: j, run: .ignoresStop)],
                      drain: .milliseconds(200))
        let run = Task { try await g.run() }
        #expect(await eventually { j.all.count == 2 })
        let begun = ContinuousClock.now
        g.requestStop()
        await #expect {
            try await run.value
        } throws: { e in
            guard case DaemonError.drainDeadlineExceeded(let names, _) = e else { return false }
            return names == ["wedged", "a"]
        }
        let took = ContinuousClock.now - begun
        #expect(took >= .milliseconds(200))
        #expect(took < .seconds(5))
        #expect(j.all.contains("stop a"))  // told to stop even though the group no longer waits
    }

    @Test func aSecondStopRequestStopsAtOnce() async throws {
        let j = Journal()
        let g = group([ScriptedService(name: "wedged", journal: j, run: .ignoresStop)], drain: .seconds(600))
        let run = Task { try await g.run() }
        #expect(await eventually { j.all.count == 1 })
        g.handle(signal: SIGTERM)
        #expect(await eventually { j.all.contains("stop wedged") })
        g.handle(signal: SIGINT)
        await #expect {
            try await run.value
        } throws: { e in
            guard case DaemonError.forcedStop(["wedged"]) = e else { return false }
            return true
        }
    }

    @Test func reloadRequestCallsTheHookAndLeavesServicesRunning() async throws {
        let j = Journal()
        let reloads = Mutex(0)
        let g = group([ScriptedService(name: "a", journal: j)], onReload: { reloads.withLock { $0 += 1 } })
        let run = Task { try await g.run() }
        #expect(await eventually { j.all.count == 1 })
        g.handle(signal: SIGHUP)
        #expect(await eventually { reloads.withLock { $0 } == 1 })
        g.requestReload()
        #expect(await eventually { reloads.withLock { $0 } == 2 })
        #expect(j.all == ["start a"])
        g.requestStop()
        try await run.value
    }

    @Test func toldSystemdReadyOnceAllStartedAndStoppingOnStop() async throws {
        let l = try NotifyListener(abstract: true)
        let j = Journal()
        let n = try SystemdNotifier(environment: ["NOTIFY_SOCKET": l.environmentValue])
        let g = group([ScriptedService(name: "a", journal: j), ScriptedService(name: "b", journal: j)], notifier: n)
        let run = Task { try await g.run() }
        let ready = await l.next()
        #expect(ready?.hasPrefix("READY=1\nMAINPID=\(getpid())") == true)
        #expect(j.all == ["start a", "start b"])
        g.requestStop()
        try await run.value
        let stopping = await l.next()
        #expect(stopping?.hasPrefix("STOPPING=1") == true)
    }

    @Test func aStopDuringStartSkipsTheRemainingServices() async throws {
        let j = Journal()
        let g = group([ScriptedService(name: "a", journal: j), ScriptedService(name: "b", journal: j)])
        g.requestStop()
        try await g.run()
        #expect(!j.all.contains("start b"))
    }
}

struct SignalWatcherTests {
    @Test func realSignalsReloadThenDrainThenForceTheGroup() async throws {
        // SIGUSR1/SIGUSR2 stand in for SIGTERM/SIGHUP: the test process must not stop.
        let j = Journal()
        let reloads = Mutex(0)
        let g = ServiceGroup(services: [ScriptedService(name: "a", journal: j),
                                        ScriptedService(name: "wedged", journal: j, run: .ignoresStop)],
                             logger: Logger(label: "t", sink: LineCollector().sink()), drainDeadline: .seconds(600),
                             onReload: { reloads.withLock { $0 += 1 } })
        let w = g.watchSignals(stop: [SIGUSR1], reload: [SIGUSR2])
        defer { w.cancel() }
        let run = Task { try await g.run() }
        #expect(await eventually { j.all.count == 2 })
        kill(getpid(), SIGUSR2)
        #expect(await eventually { reloads.withLock { $0 } == 1 })
        kill(getpid(), SIGUSR1)
        #expect(await eventually { j.all.contains("stop wedged") })
        kill(getpid(), SIGUSR1)
        await #expect {
            try await run.value
        } throws: { e in
            guard case DaemonError.forcedStop(["wedged", "a"]) = e else { return false }
            return true
        }
    }

    @Test func deliversSignalsToTheHandlerOffTheSignalContext() async throws {
        // SIGURG is ignored by default and used by no other test here.
        let seen = Mutex<[Int32]>([])
        let w = SignalWatcher(signals: [SIGURG]) { sig in seen.withLock { $0.append(sig) } }
        defer { w.cancel() }
        kill(getpid(), SIGURG)
        #expect(await eventually { seen.withLock { $0 } == [SIGURG] })
        kill(getpid(), SIGURG)
        #expect(await eventually { seen.withLock { $0 }.count == 2 })
    }
}
