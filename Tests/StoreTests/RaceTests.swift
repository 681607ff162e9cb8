import BatchCore
import Dispatch
import Foundation
import Redis
@testable import Store
import Synchronization
import Testing
import TestSupport

@Suite(.blocking) struct RaceTests {
    @Test func fourClaimersNeverGetTheSameId() throws {
        let f = try StoreFixture()
        let total = 10_000
        // Seed through pipelines: the race under test is the claim.
        var batch: [RedisCommand] = []
        for _ in 0..<total {
            let id = ExecutionID.make()
            batch.append(RedisCommand("HSET", f.keys.exec(id), "id", id, "job", "j", "state", "queued", "attempt", 0,
                                      "priority", 5, "created", 1, "max_attempts", 1, "runs", 0, "timeout", 60))
            batch.append(RedisCommand("RPUSH", f.keys.queue(5), id))
            batch.append(RedisCommand("ZADD", f.keys.byState("queued"), 1, id))
            if batch.count >= 3_000 { _ = try f.redis.pipeline(batch); batch.removeAll() }
        }
        _ = try f.redis.pipeline(batch)
        let claimed = Mutex<[String]>([])
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            do {
                let client = try RedisClient(url: try RedisServer.shared.url)
                let s = ExecutionStore(redis: client, namespace: f.namespace)
                var got: [String] = []
                while let c = try s.claim(allowed: ["j": 0], leaseMillis: 60_000, gateway: "g\(worker)") { got.append(c.id) }
                claimed.withLock { $0 += got }
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        #expect(failures.withLock { $0 } == [])
        let ids = claimed.withLock { $0 }
        #expect(ids.count == total)
        #expect(Set(ids).count == total)
    }

    @Test func cancelRacingAFinishEndsInExactlyOneTerminalState() throws {
        let f = try StoreFixture()
        for _ in 0..<100 {
            let id = try f.seed(state: .running)
            let outcomes = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: 2) { i in
                do {
                    if i == 0 {
                        let r = try f.store.cancel(id: id, user: "ops", source: "test")
                        outcomes.withLock { $0.append("cancel:\(r.state.rawValue)") }
                        if r.state == .cancelling {
                            // The worker then confirms the stop, if it still can.
                            _ = try? f.store.finish(id: id, attempt: 1, worker: "w1", end: AttemptEnd(outcome: .cancelled))
                        }
                    } else {
                        let s = try f.store.finish(id: id, attempt: 1, worker: "w1", end: AttemptEnd(outcome: .succeeded))
                        outcomes.withLock { $0.append("finish:\(s.rawValue)") }
                    }
                } catch {
                    outcomes.withLock { $0.append("error:\(error)") }
                }
            }
            let st = try #require(try f.state(id))
            #expect(st.isTerminal)
            #expect(try f.indexedStates(id) == [st])
            #expect(try f.running() == 0)
            #expect(try f.leased(id) == false)
        }
    }

    @Test func recoveryAndLateHeartbeatNeverBothWin() throws {
        let f = try StoreFixture()
        for _ in 0..<100 {
            let id = try f.seed(state: .running, runs: 1, maxAttempts: 3, leaseMs: 2)
            let renewed = Mutex(false)
            let recovered = Mutex(false)
            DispatchQueue.concurrentPerform(iterations: 2) { i in
                if i == 0 {
                    if (try? f.store.renew(worker: "w1", attempts: [(id, 1)], leaseMillis: 10_000)) == [.renewed] {
                        renewed.withLock { $0 = true }
                    }
                } else {
                    if let r = try? f.store.recoverExpired(poisonThreshold: 3, backoffMillis: 0), r.contains(where: { $0.id == id }) {
                        recovered.withLock { $0 = true }
                    }
                }
            }
            #expect(!(renewed.withLock { $0 } && recovered.withLock { $0 }))
        }
    }
}
