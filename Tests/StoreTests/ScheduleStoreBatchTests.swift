import BatchCore
import Redis
@testable import Store
import TestSupport
import Testing

struct ScheduleStoreBatchTests {
    @Test func claimFiresWinsEachFireOnceAcrossOwners() throws {
        let f = try StoreFixture()
        let s = ScheduleStore(redis: f.redis, namespace: f.namespace)
        let fires: [(schedule: String, epochMillis: Int64)] = [("a", 1000), ("a", 2000), ("b", 1000)]
        #expect(try s.claimFire(schedule: "a", epochMillis: 2000, owner: "other", ttlSeconds: 60))
        #expect(try s.claimFires(fires, owner: "me", ttlSeconds: 60) == [true, false, true])
        #expect(try s.claimFires(fires, owner: "third", ttlSeconds: 60) == [false, false, false])
        #expect(try s.fireValues(fires + [("c", 1)]) == ["me", "other", "me", nil])
        let ttl = try f.send("TTL", f.keys.fire("b", 1000)).int ?? -1
        #expect(ttl > 0 && ttl <= 60)
        #expect(try s.claimFires([], owner: "me", ttlSeconds: 60).isEmpty)
        try s.recordFires([("a", 1000, "E1"), ("b", 1000, "failed:http_400")], ttlSeconds: 30)
        #expect(try s.fireValues([("a", 1000), ("b", 1000)]) == ["E1", "failed:http_400"])
        let recorded = try f.send("TTL", f.keys.fire("a", 1000)).int ?? -1
        #expect(recorded > 0 && recorded <= 30)
    }

    @Test func statesReadsStateAndFinishOfKnownExecutionsOnly() throws {
        let f = try StoreFixture()
        let running = try f.seed(state: .running)
        let done = try f.seed(state: .succeeded)
        _ = try f.send("HSET", f.keys.exec(done), "finished", 12345)
        let states = try f.store.states([running, done, ExecutionID.make(), "not an id"])
        #expect(states.count == 2)
        #expect(states[running]?.state == .running && states[running]?.finished == nil)
        #expect(states[done]?.state == .succeeded && states[done]?.finished == 12345)
    }
}
