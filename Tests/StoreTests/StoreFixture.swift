import BatchCore
import Foundation
import Redis
@testable import Store
import TestSupport

/// A fresh namespace on the shared test Redis, with helpers to seed raw state
/// and read raw keys.
struct StoreFixture {
    let redis: RedisClient
    let store: ExecutionStore
    let keys: Keys
    let namespace: String

    init(_ label: String = #function) throws {
        let server = try RedisServer.shared
        redis = try RedisClient(url: server.url)
        let ns = RedisServer.uniqueNamespace(label)
        store = ExecutionStore(redis: redis, namespace: ns)
        keys = Keys(namespace: ns)
        namespace = ns
    }

    func send(_ args: any RedisArgument...) throws -> RedisReply { try redis.send(RedisCommand(args)) }

    /// Writes an execution hash and its indexes as a script would have left them.
    /// - Parameter leaseMs: lease expiry relative to now (negative: expired), nil: no lease.
    @discardableResult
    func seed(state: ExecutionState, job: String = "report", attempt: Int = 1, runs: Int = 1, maxAttempts: Int = 3,
              worker: String? = "w1", priority: Int = 5, leaseMs: Int64? = 10_000, dueMs: Int64 = -1) throws -> String {
        let id = ExecutionID.make()
        let now = try nowMs()
        var fields: [any RedisArgument] = ["HSET", keys.exec(id), "id", id, "job", job, "state", state.rawValue,
                                           "attempt", attempt, "runs", runs, "max_attempts", maxAttempts, "priority", priority,
                                           "timeout", 60, "source", "api", "created", now, "updated", now]
        if let w = worker { fields += ["worker", w] }
        _ = try redis.send(RedisCommand(fields))
        if state != .dispatched { _ = try send("ZADD", keys.byState(state.rawValue), now, id) }
        _ = try send("ZADD", keys.recent, now, id)
        _ = try send("ZADD", keys.byJob(job), now, id)
        if state == .queued { _ = try send("RPUSH", keys.queue(priority), id) }
        if state == .retrying { _ = try send("ZADD", keys.delayed, now + dueMs, id) }
        if state == .scheduled { _ = try send("ZADD", keys.due, now + dueMs, id) }
        if state.isLeased {
            if let l = leaseMs { _ = try send("ZADD", keys.leases, now + l, id) }
            _ = try send("HINCRBY", keys.jobRunning, job, 1)
        }
        return id
    }

    func nowMs() throws -> Int64 {
        let t = try send("TIME").array!
        return t[0].int! * 1000 + t[1].int! / 1000
    }

    func field(_ id: String, _ name: String) throws -> String? { try send("HGET", keys.exec(id), name).string }
    func state(_ id: String) throws -> ExecutionState? { try field(id, "state").flatMap(ExecutionState.init(rawValue:)) }
    /// Whether listings of `state` find the execution: its `by-state` index, or for
    /// `dispatched` (which has none) a lease and that state in the hash.
    func inIndex(_ id: String, _ state: ExecutionState) throws -> Bool {
        if state == .dispatched { return try leased(id) && self.state(id) == .dispatched }
        return !(try send("ZSCORE", keys.byState(state.rawValue), id)).isNull
    }
    func queueList(_ p: Int = 5) throws -> [String] { (try send("LRANGE", keys.queue(p), 0, -1).array ?? []).compactMap(\.string) }
    func leased(_ id: String) throws -> Bool { !(try send("ZSCORE", keys.leases, id)).isNull }
    func delayed(_ id: String) throws -> Bool { !(try send("ZSCORE", keys.delayed, id)).isNull }
    func running(_ job: String = "report") throws -> Int { Int(try send("HGET", keys.jobRunning, job).int ?? 0) }
    func eventCount() throws -> Int { Int(try send("XLEN", keys.events).int ?? 0) }
    /// The whole hash, to prove a refused call changed nothing.
    func snapshot(_ id: String) throws -> [String: String] { ExecutionStore.fieldMap(try send("HGETALL", keys.exec(id))) }

    /// The state must be in exactly one by-state index.
    func indexedStates(_ id: String) throws -> [ExecutionState] {
        try ExecutionState.allCases.filter { try inIndex(id, $0) }
    }
}
