import BatchCore
import Redis
import Store
import Testing
@testable import Gateway

/// Free slots as the dispatchers see them, without Redis: workers are set as a refresh would.
struct WorkerDirectoryTests {
    func directory(_ workers: [WorkerEntry]) throws -> WorkerDirectory {
        // Never connected: these tests do not refresh from Redis.
        let d = WorkerDirectory(fleet: FleetRegistry(redis: try RedisClient(url: "redis://127.0.0.1:1/0"), namespace: "unit"))
        d.state.withLock { s in for w in workers { s.workers[w.id] = w } }
        return d
    }

    func worker(_ id: String, slots: Int, reported: Int = 0, ownAtReport: Int = 0) -> WorkerEntry {
        var w = WorkerEntry(id: id, address: "http://127.0.0.1:1", slots: slots, reportedRunning: reported, heartbeat: 1,
                            jobs: ["noop": JobType(name: "noop", kind: .builtin, builtin: .noop)])
        w.ownAtReport = ownAtReport
        return w
    }

    @Test func ownEndsFreeSlotsBeforeTheNextHeartbeat() throws {
        // The last report counted 4 running, all of them this gateway's.
        let d = try directory([worker("w", slots: 4, reported: 4, ownAtReport: 4)])
        for i in 0..<4 { d.noteDispatched(id: "e\(i)", attempt: 1, worker: "w") }
        #expect(d.reserve(max: 10) == 0)
        _ = d.noteGone([("e0", 1), ("e1", 1), ("e2", nil)])
        #expect(d.reserve(max: 10) == 3)
        d.unreserve(3)
        #expect(d.dispatchable(breakerAllows: { _ in true }) == ["noop": 0])
    }

    @Test func otherGatewaysWorkCountsAsReported() throws {
        // Reported 3 running, 1 of them this gateway's: 2 are another gateway's.
        let d = try directory([worker("w", slots: 4, reported: 3, ownAtReport: 1)])
        #expect(d.reserve(max: 10) == 2)
        d.unreserve(2)
        d.noteDispatched(id: "e", attempt: 1, worker: "w")
        #expect(d.reserve(max: 10) == 1)
    }

    @Test func aFullWorkerIsOfferedAgainOnceOneOfItsAttemptsEnds() throws {
        let d = try directory([worker("w", slots: 8), worker("v", slots: 2)])
        d.noteDispatched(id: "e", attempt: 1, worker: "w")
        d.noteDispatched(id: "f", attempt: 1, worker: "w")
        d.markFull("w")
        #expect(d.reserve(max: 100) == 2)
        d.unreserve(2)
        // A dispatch of its own that failed or was refused there frees no slot of the worker's.
        _ = d.noteGone([("f", 1)])
        #expect(d.reserve(max: 100) == 2)
        d.unreserve(2)
        // An earlier attempt's end read late changes nothing.
        d.noteDispatched(id: "e", attempt: 2, worker: "w")
        _ = d.noteGone([("e", 1)], ended: true)
        #expect(d.reserve(max: 100) == 2)
        d.unreserve(2)
        _ = d.noteGone([("e", 2)], ended: true)
        #expect(d.reserve(max: 100) == 10)
    }

    @Test func aHalfOpenBreakerOffersOneSlotAndAnOpenOneNone() throws {
        let d = try directory([worker("open", slots: 8), worker("probing", slots: 8), worker("ok", slots: 3)])
        let verdicts: [String: BreakerVerdict] = ["open": .refusing, "probing": .halfOpen, "ok": .closed]
        #expect(d.reserve(max: 100) { verdicts[$0]! } == 4)
    }

    @Test func reservationsOfConcurrentClaimsAddUp() throws {
        let d = try directory([worker("w", slots: 5)])
        #expect(d.reserve(max: 3) == 3)
        #expect(d.reserve(max: 3) == 2)
        #expect(d.reserve(max: 3) == 0)
        d.unreserve(5)
        #expect(d.reserve(max: 64) == 5)
    }
}
