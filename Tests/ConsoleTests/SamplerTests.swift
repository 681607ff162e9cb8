import BatchCore
import Foundation
import Resilience
import Synchronization
import Testing
@testable import Console

/// A data source whose snapshot blocks until the test lets it go: a slow Redis.
final class GatedDataSource: ConsoleDataSource {
    let gate = DispatchSemaphore(value: 0)
    func snapshot(filter: String?, limit: Int) throws -> ConsoleSnapshot {
        gate.wait()
        return Fixtures.snapshot()
    }
    func detail(id: String) throws -> ExecutionDetail { Fixtures.detail(0) }
    func jobTypes() throws -> [JobTypeInfo] { [] }
    func trigger(job: String, params: [String: String], runLater: RunLater) throws -> String { "x" }
    func cancel(id: String) throws {}
    func retry(id: String) throws -> String { "x" }
    func auditTagged(action: String, ids: [String], failed: Int) throws {}
    func setBreaker(worker: String, _ override: BreakerOverride) throws {}
    func setPaused(schedule: String, _ paused: Bool) throws {}
    func triggerSchedule(name: String) throws -> String { "x" }
}

struct SamplerTests {
    @Test func aSlowDataSourceDoesNotBlockTheCaller() {
        let source = GatedDataSource()
        let sampler = Sampler(source)
        sampler.sample(filter: "", limit: 10, detail: nil)  // returns at once although the fetch blocks
        #expect(sampler.sampling)
        #expect(sampler.take().isEmpty)
        source.gate.signal()
        sampler.drainQueue()
        #expect(!sampler.sampling)
        let got = sampler.take()
        #expect(got.count == 1)
        guard case .snapshot(let s) = got.first else { Issue.record("no snapshot"); return }
        #expect(s.executions.count == 30)
    }

    @Test func failuresBecomeDataErrorsAndTheNextGoodSampleClearsThem() {
        let fake = FakeDataSource(snapshot: Fixtures.snapshot(), details: [Fixtures.id(0): Fixtures.detail(0)])
        let sampler = Sampler(fake)
        var state = ConsoleState(size: .init(rows: 24, cols: 80), timeZone: Fixtures.utc)
        fake.fail("redis 127.0.0.1:1: connection refused")
        sampler.sample(filter: "", limit: 10, detail: nil)
        sampler.drainQueue()
        for m in sampler.take() { state.apply(m) }
        #expect(state.dataError == "redis 127.0.0.1:1: connection refused")
        fake.fail(nil)
        _ = state.handle(.enter)  // nothing to open yet
        sampler.sample(filter: "", limit: 10, detail: Fixtures.id(0))
        sampler.drainQueue()
        for m in sampler.take() { state.apply(m) }
        #expect(state.dataError == nil)
        #expect(state.snapshot?.executions.count == 10)
    }

    @Test func actionsReachTheDataSourceAndReportBack() {
        let fake = FakeDataSource(snapshot: Fixtures.snapshot(), jobs: Fixtures.jobs)
        let sampler = Sampler(fake)
        sampler.perform(.trigger(job: "sleep", params: ["seconds": "3"]))
        sampler.perform(.cancel(id: Fixtures.id(0)))
        sampler.perform(.retry(id: Fixtures.id(2)))
        sampler.perform(.loadJobTypes)
        sampler.drainQueue()
        let got = sampler.take()
        #expect(fake.recorded.triggers.map(\.0) == ["sleep"])
        #expect(fake.recorded.triggers.map(\.1) == [["seconds": "3"]])
        #expect(fake.recorded.cancels == [Fixtures.id(0)])
        #expect(fake.recorded.retries == [Fixtures.id(2)])
        #expect(got.count == 4)
        guard case .actionDone(let text, let isError) = got[0] else { Issue.record("no report"); return }
        #expect(text.hasPrefix("triggered sleep: 01JTRIGGERED"))
        #expect(!isError)
        guard case .jobTypes(let jobs) = got[3] else { Issue.record("no job types"); return }
        #expect(jobs.count == 3)
    }

    @Test func fleetActionsReachTheDataSourceAndReportBack() {
        let fake = FakeDataSource(snapshot: Fixtures.snapshot())
        let sampler = Sampler(fake)
        sampler.perform(.breaker(worker: "worker-a-20190", .forceOpen))
        sampler.perform(.breaker(worker: "worker-a-20190", .reset))
        sampler.perform(.pauseSchedule(name: "tick", paused: true))
        sampler.perform(.pauseSchedule(name: "tick", paused: false))
        sampler.perform(.triggerSchedule(name: "nightly-report"))
        sampler.drainQueue()
        #expect(fake.recorded.breakers == ["worker-a-20190=force-open", "worker-a-20190=reset"])
        #expect(fake.recorded.pauses == ["tick=paused", "tick=resumed"])
        #expect(fake.recorded.scheduleRuns == ["nightly-report"])
        let texts = sampler.take().compactMap { m -> String? in
            guard case .actionDone(let text, false) = m else { return nil }
            return text
        }
        #expect(texts == [
            "breakers of worker-a-20190 forced open in every gateway (each applies it within about a second)",
            "breakers of worker-a-20190 reset in every gateway (each applies it within about a second)",
            "schedule tick paused for every scheduler",
            "schedule tick resumed for every scheduler",
            "ran schedule nightly-report's job now: 01JSCHEDULED00000000000010",
        ])
    }

    @Test func aFailedFleetActionIsReportedAsAnErrorNamingIt() {
        let fake = FakeDataSource(snapshot: Fixtures.snapshot())
        let sampler = Sampler(fake)
        fake.fail("redis 127.0.0.1:1: connection refused")
        sampler.perform(.breaker(worker: "w2", .forceClose))
        sampler.perform(.pauseSchedule(name: "tick", paused: true))
        sampler.drainQueue()
        var state = ConsoleState(size: .init(rows: 24, cols: 80))
        var texts: [String] = []
        for m in sampler.take() { state.apply(m); texts.append(state.message?.text ?? "") }
        #expect(state.message?.isError == true)
        #expect(texts == ["force the breaker of w2 closed failed: redis 127.0.0.1:1: connection refused",
                          "pause schedule tick failed: redis 127.0.0.1:1: connection refused"])
    }

    @Test func aFailedActionIsReportedAsAnError() {
        let fake = FakeDataSource(snapshot: Fixtures.snapshot())
        let sampler = Sampler(fake)
        fake.fail("gateway answered 409: execution already ended")
        sampler.perform(.cancel(id: Fixtures.id(1)))
        sampler.drainQueue()
        var state = ConsoleState(size: .init(rows: 24, cols: 80))
        for m in sampler.take() { state.apply(m) }
        #expect(state.message == .init(text: "cancel \(Fixtures.id(1)) failed: gateway answered 409: execution already ended", isError: true))
    }
}
