import Foundation
import Synchronization
import Testing
@testable import Daemon
import TestSupport

@Suite(.blocking)
struct SystemdNotifierTests {
    @Test(arguments: [false, true])
    func sendsReadyStatusWatchdogStoppingToTheBoundSocket(abstract: Bool) throws {
        let l = try NotifyListener(abstract: abstract)
        let n = try SystemdNotifier(environment: ["NOTIFY_SOCKET": l.environmentValue], pid: 4242)
        #expect(n.isEnabled)
        try n.ready(status: "serving on 127.0.0.1:20200", pid: 4242)
        #expect(l.receive() == "READY=1\nMAINPID=4242\nSTATUS=serving on 127.0.0.1:20200")
        try n.status("draining\n3 left")
        #expect(l.receive() == "STATUS=draining 3 left")
        try n.watchdog()
        #expect(l.receive() == "WATCHDOG=1")
        try n.stopping()
        #expect(l.receive() == "STOPPING=1")
        try n.mainPID(77)
        #expect(l.receive() == "MAINPID=77")
        try n.reloading()
        let reload = try #require(l.receive())
        #expect(reload.hasPrefix("RELOADING=1\nMONOTONIC_USEC="))
    }

    @Test func doesNothingWithoutNotifySocket() throws {
        let n = try SystemdNotifier(environment: [:])
        #expect(!n.isEnabled)
        #expect(n.watchdogInterval == nil)
        try n.ready()
        try n.watchdog()
    }

    @Test(arguments: ["relative/path", "@", "/" + String(repeating: "x", count: 200)])
    func refusesUnusableNotifySocket(value: String) {
        #expect(throws: DaemonError.self) { try SystemdNotifier(environment: ["NOTIFY_SOCKET": value]) }
    }

    @Test func reportsASocketNobodyListensOn() throws {
        let n = SystemdNotifier(address: .path("/nonexistent-dir-\(getpid())/notify"))
        #expect(throws: DaemonError.self) { try n.send("READY=1") }
    }

    @Test(arguments: [
        // (WATCHDOG_USEC, WATCHDOG_PID, our pid, expected interval)
        ("2000000", nil, Int32(10), Duration.seconds(1)),
        ("2000000", "10", 10, .seconds(1)),
        ("2000000", "11", 10, nil),
        ("0", nil, 10, nil),
        ("junk", nil, 10, nil),
    ] as [(String, String?, Int32, Duration?)])
    func pingsAtHalfTheWatchdogTimeoutOnlyWhenMeantForUs(usec: String, watchdogPID: String?, pid: Int32,
                                                        expected: Duration?) throws {
        var env = ["NOTIFY_SOCKET": "@x", "WATCHDOG_USEC": usec]
        env["WATCHDOG_PID"] = watchdogPID
        let n = try SystemdNotifier(environment: env, pid: pid)
        #expect(n.watchdogInterval == expected)
    }

    @Test(arguments: [
        ("ready", "ready"), ("a\nb", "a b"), ("a\r\nb", "a\r b"), ("\n\n", "  "),
    ])
    func statusTextStaysOnOneLine(text: String, expected: String) {
        #expect(SystemdNotifier.oneLine(text) == expected)
    }
}

struct SystemdWatchdogTests {
    /// An injected clock: records each requested sleep and returns at once;
    /// after `limit` sleeps it stops the watchdog, as a shutdown would.
    final class FakeSleeper: Sendable {
        let slept = Mutex<[Duration]>([])
        let limit: Int
        init(limit: Int) { self.limit = limit }
    }

    @Test func feedsTheWatchdogEveryHalfIntervalOnlyWhileHealthy() async throws {
        let l = try NotifyListener(abstract: true)
        let notifier = try SystemdNotifier(environment: ["NOTIFY_SOCKET": l.environmentValue, "WATCHDOG_USEC": "3000000"])
        let sleeper = FakeSleeper(limit: 6)
        let health = [true, true, false, false, true, true]
        let checks = Mutex(0)
        let logs = LineCollector()
        let box = Mutex<SystemdWatchdog?>(nil)
        let dog = SystemdWatchdog(
            notifier: notifier, logger: Logger(label: "t", sink: logs.sink()),
            sleep: { d in
                let n = sleeper.slept.withLock { $0.append(d); return $0.count }
                if n >= sleeper.limit, let w = box.withLock({ $0 }) { await w.stop() }
            },
            healthy: { checks.withLock { c in defer { c += 1 }; return health[c % health.count] } })
        box.withLock { $0 = dog }
        try await dog.run()
        #expect(sleeper.slept.withLock { $0 } == Array(repeating: .milliseconds(1500), count: 6))
        #expect(l.drain() == Array(repeating: "WATCHDOG=1", count: 4))
        #expect(logs.lines.contains { $0.contains("error t: this process does not work") && $0.contains("reason=\"health check fails\"") })
        #expect(logs.lines.contains { $0.contains("notice t: health check passes again") })
    }

    @Test func feedsTheWatchdogOnTheRealClock() async throws {
        let l = try NotifyListener(abstract: false)
        let notifier = try SystemdNotifier(environment: ["NOTIFY_SOCKET": l.environmentValue, "WATCHDOG_USEC": "100000"])
        let dog = SystemdWatchdog(notifier: notifier, logger: Logger(label: "t", sink: LineCollector().sink()),
                                  healthy: { true })
        let task = Task { try await dog.run() }
        // Three pings at 50 ms each; the generous deadline holds on a loaded machine.
        for _ in 0..<3 { #expect(await l.next(timeoutMs: 30000) == "WATCHDOG=1") }
        await dog.stop()
        try await task.value
    }

    @Test func withoutWatchdogItWaitsUntilStopped() async throws {
        let dog = SystemdWatchdog(notifier: SystemdNotifier(address: nil),
                                  logger: Logger(label: "t", sink: LineCollector().sink()), healthy: { true })
        let task = Task { try await dog.run() }
        await dog.stop()
        try await task.value
    }
}

struct StopSignalTests {
    @Test func wakesWaitersAndCutsSleepsShort() async {
        let s = StopSignal()
        let waiter = Task { await s.wait(); return s.isStopped }
        let sleeper = Task { await s.sleep(for: .seconds(600)) }
        s.stop()
        #expect(await waiter.value)
        #expect(await sleeper.value)
        await s.wait()  // already stopped: returns at once
    }

    @Test func sleepWithoutStopReturnsFalse() async {
        let s = StopSignal()
        #expect(await s.sleep(for: .milliseconds(1)) == false)
    }

    @Test func cancelledWaiterReturns() async {
        let s = StopSignal()
        let t = Task { await s.wait() }
        t.cancel()
        await t.value
        #expect(!s.isStopped)
    }
}
