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

    /// How one template field is rewritten for each seeded execution.
    enum FieldValue {
        case fixed([UInt8])
        case id
        case state
        /// Creation time plus this offset (ms).
        case time(Int64)
        /// The template's text with its finish time replaced (the history's `at`).
        case history([String])
    }

    /// The template's fields, with their values prepared once.
    func plan() -> [(key: [UInt8], value: FieldValue)] {
        let created0 = Int64(template["created"]!)!
        let finished0 = template["finished"] ?? ""
        return template.sorted { $0.key < $1.key }.map { k, v in
            let value: FieldValue
            if k == "id" { value = .id }
            else if k == "state" { value = .state }
            else if Self.timeFields.contains(k), let t = Int64(v) { value = .time(t - created0) }
            else if k == "history", !finished0.isEmpty { value = .history(v.components(separatedBy: finished0)) }
            else { value = .fixed(Array(v.utf8)) }
            return (Array(k.utf8), value)
        }
    }

    /// Seeds `count` executions whose creation times are `baseMs + i` (unique, so
    /// the newest-first order is known) and whose other times keep the template's
    /// offsets from its creation (the by-state score is the rewritten `updated`,
    /// as `set_state` writes it). - Returns: the ids, oldest first.
    func seed(count: Int, baseMs: Int64, batch: Int = 10_000) throws -> [String] {
        let fields = plan()
        let created0 = Int64(template["created"]!)!
        let finished0 = Int64(template["finished"] ?? "") ?? created0
        let updatedOffset = (Int64(template["updated"] ?? "") ?? created0) - created0
        let hset = Array("HSET".utf8), zadd = Array("ZADD".utf8)
        let stateBytes = Dictionary(uniqueKeysWithValues: ExecutionState.allCases.map { ($0, Array($0.rawValue.utf8)) })
        var random = SystemRandomNumberGenerator()
        var ids: [String] = []
        ids.reserveCapacity(count)
        var from = 0
        while from < count {
            let to = min(count, from + batch)
            var commands: [RedisCommand] = []
            commands.reserveCapacity(to - from + 12)
            var recent: [[UInt8]] = [zadd, Array((keys.prefix + "recent").utf8)]
            var byJob: [[UInt8]] = [zadd, Array((keys.prefix + "by-job:" + (template["job"] ?? "")).utf8)]
            var byState: [ExecutionState: [[UInt8]]] = [:]
            for i in from..<to {
                let created = baseMs + Int64(i)
                let id = ExecutionID.make(unixMillis: UInt64(created), random: &random)
                let idBytes = Array(id.utf8)
                ids.append(id)
                let state = Self.state(i)
                var args: [[UInt8]] = [hset, Array((keys.prefix + "exec:" + id).utf8)]
                args.reserveCapacity(2 + fields.count * 2)
                for (key, value) in fields {
                    args.append(key)
                    switch value {
                    case .fixed(let b): args.append(b)
                    case .id: args.append(idBytes)
                    case .state: args.append(stateBytes[state]!)
                    case .time(let offset): args.append(Array(String(created + offset).utf8))
                    case .history(let parts): args.append(Array(parts.joined(separator: String(finished0 - created0 + created)).utf8))
                    }
                }
                commands.append(RedisCommand(bytes: args))
                let createdBytes = Array(String(created).utf8)
                recent.append(createdBytes); recent.append(idBytes)
                byJob.append(createdBytes); byJob.append(idBytes)
                byState[state, default: [zadd, Array((keys.prefix + "by-state:" + state.rawValue).utf8)]]
                    .append(contentsOf: [Array(String(created + updatedOffset).utf8), idBytes])
            }
            commands.append(RedisCommand(bytes: recent))
            commands.append(RedisCommand(bytes: byJob))
            for (_, z) in byState { commands.append(RedisCommand(bytes: z)) }
            for reply in try redis.pipeline(commands) {
                if let e = reply.errorMessage { throw BenchError.failed("seeding: Redis refused a write: \(e)") }
            }
            from = to
        }
        return ids
    }
}
