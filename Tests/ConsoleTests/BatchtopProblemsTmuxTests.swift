import Foundation
import Testing
import TestSupport

/// The problems line of the built batchtop in tmux, with a real gateway and worker.
@Suite(.blocking) struct BatchtopProblemsTmuxTests {
    static let workerConfig = "[job \"fail\"]\nkind = builtin\nbuiltin = fail\nmax-attempts = 1\n"

    @Test func aFailedJobIsCountedAndAKilledWorkerShowsLostWithinTenSeconds() throws {
        let f = try LiveFixture()
        let gateway = try DaemonProcess("batch-gateway", config: "", redisURL: f.server.url, namespace: f.namespace)
        defer { gateway.stop() }
        let worker = try DaemonProcess("batch-worker", config: Self.workerConfig, redisURL: f.server.url, namespace: f.namespace,
                                       id: "worker-doomed")
        defer { worker.stop() }
        try gateway.waitReady()
        try worker.waitReady()
        let s = try BatchtopTmuxTests.Session(arguments: "--redis '\(f.server.url)' --namespace '\(f.namespace)' -d 0.3")
        defer { s.close() }
        try s.waitForScreen("the worker up and no problems") { $0.contains("1/1 up") && $0.contains("no problems") }

        // The gateway learns the worker's job types from Redis within a refresh or two.
        let source = f.dataSource()
        let accepted = waitUntil(timeout: .seconds(20), poll: .milliseconds(200)) { (try? source.trigger(job: "fail", params: [:])) != nil }
        #expect(accepted, "the gateway never accepted the trigger:\n\(gateway.log)")
        try s.waitForScreen("the failure counted in the problems line") { $0.contains("PROBLEMS  1 failed/10m (fail 1)") }

        worker.process.kill()
        let killed = ContinuousClock.now
        try s.waitForScreen("the killed worker marked lost", timeout: .seconds(10)) { screen in
            screen.contains("worker worker-doomed lost") && screen.contains("0/1 up, 1 lost")
        }
        #expect(ContinuousClock.now - killed < .seconds(10))
        try s.press("q")
        try s.expectExitAfterQuit()
    }
}
