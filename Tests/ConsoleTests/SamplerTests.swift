import BatchCore
import Foundation
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
    func trigger(job: String, params: [String: String]) throws -> String { "x" }
    func cancel(id: String) throws {}
    func retry(id: String) throws -> String { "x" }
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
