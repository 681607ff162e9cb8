import BatchCore
import Foundation
import Redis
import Store

/// Writes many executions fast, in exactly the layout the store's scripts leave:
/// the fields are copied from a real execution taken through create → claim →
/// start → finish by the store, with the id and times rewritten, and the same
/// index entries (`recent`, `by-state:<state>`, `by-job:<job>`) the scripts write.
struct Seeder {
    let redis: RedisClient
    let keys: Keys
    let template: [String: String]

    static let timeFields = ["created", "updated", "queued", "dispatched", "started", "ended", "finished"]

    /// Runs one real lifecycle in `namespace` and keeps its hash as the template.
    init(redis: RedisClient, namespace: String) throws {
        self.redis = redis
        keys = Keys(namespace: namespace)
        let store = ExecutionStore(redis: redis, namespace: namespace + ":template")
        var times = StepTimes()
        try LifecycleBench.lifecycle(store, worker: "w1", steps: &times)
        guard let id = try store.list(limit: 1).executions.first?.id else { throw BenchError.failed("seeder: template execution not found") }
        let flat = try redis.send("HGETALL", store.keys.prefix + "exec:" + id).array?.compactMap(\.string) ?? []
        var t: [String: String] = [:]
        for i in stride(from: 0, to: flat.count - 1, by: 2) { t[flat[i]] = flat[i + 1] }
        guard t["state"] == "succeeded", t["created"] != nil else { throw BenchError.failed("seeder: template is not a succeeded execution: \(t)") }
        template = t
    }

    /// The state of the i-th seeded execution: mostly succeeded, some failed and cancelled.
    static func state(_ i: Int) -> ExecutionState {
        switch i % 100 {
        case 0..<6: return .failed
        case 6..<9: return .cancelled
        default: return .succeeded
        }
    }

    /// Seeds `count` executions whose creation times are `baseMs + i` (unique, so
    /// the newest-first order is known) and whose other times keep the template's offsets from its creation
    /// (the by-state score is the rewritten `updated`, as `set_state` writes it).
    /// - Returns: the ids, oldest first.
    func seed(count: Int, baseMs: Int64, batch: Int = 10_000) throws -> [String] {
        let created0 = Int64(template["created"]!)!
        let finished0 = template["finished"] ?? ""
        let updated0 = Int64(template["updated"] ?? "") ?? created0
        var random = SystemRandomNumberGenerator()
        var ids: [String] = []
        ids.reserveCapacity(count)
        var from = 0
        while from < count {
            let to = min(count, from + batch)
            var commands: [RedisCommand] = []
            commands.reserveCapacity(to - from + 12)
            var recent: [[UInt8]] = [Array("ZADD".utf8), Array((keys.prefix + "recent").utf8)]
            var byJob: [[UInt8]] = [Array("ZADD".utf8), Array((keys.prefix + "by-job:" + (template["job"] ?? "")).utf8)]
            var byState: [ExecutionState: [[UInt8]]] = [:]
            for i in from..<to {
                let created = baseMs + Int64(i)
                let id = ExecutionID.make(unixMillis: UInt64(created), random: &random)
                ids.append(id)
                let state = Self.state(i)
                var args: [[UInt8]] = [Array("HSET".utf8), Array((keys.prefix + "exec:" + id).utf8)]
                args.reserveCapacity(2 + template.count * 2)
                for (k, v) in template {
                    var value = v
                    if k == "id" { value = id }
                    else if k == "state" { value = state.rawValue }
                    else if Self.timeFields.contains(k), let t = Int64(v) { value = String(t - created0 + created) }
                    else if k == "history", !finished0.isEmpty {
                        value = v.replacingOccurrences(of: finished0, with: String(Int64(finished0)! - created0 + created))
                    }
                    args.append(Array(k.utf8))
                    args.append(Array(value.utf8))
                }
                commands.append(RedisCommand(bytes: args))
                let updated = Array(String(updated0 - created0 + created).utf8)
                let createdBytes = Array(String(created).utf8)
                recent.append(createdBytes); recent.append(Array(id.utf8))
                byJob.append(createdBytes); byJob.append(Array(id.utf8))
                byState[state, default: [Array("ZADD".utf8), Array((keys.prefix + "by-state:" + state.rawValue).utf8)]]
                    .append(contentsOf: [updated, Array(id.utf8)])
            }
            commands.append(RedisCommand(bytes: recent))
            commands.append(RedisCommand(bytes: byJob))
            for (_, zadd) in byState { commands.append(RedisCommand(bytes: zadd)) }
            for reply in try redis.pipeline(commands) {
                if let e = reply.errorMessage { throw BenchError.failed("seeding: Redis refused a write: \(e)") }
            }
            from = to
        }
        return ids
    }
}
