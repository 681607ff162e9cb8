import BatchCore
import Foundation
import Redis
@testable import Store

/// Writes many executions fast, in exactly the layout the store's scripts leave:
/// the fields are those of a real execution taken through create → claim →
/// start → finish by the store, with id, state and times rewritten, plus the
/// index entries the scripts write (`recent`, `by-state:<state>`, `by-job:<job>`).
/// Raw pipelined HSET/ZADD in batches, because a million scripted lifecycles
/// would take minutes.
struct ScaleSeeder {
    let redis: RedisClient
    let keys: Keys
    let template: [String: String]
    /// The seeded executions, oldest first.
    private(set) var seeded: [Seeded] = []

    struct Seeded: Equatable {
        var id: String
        var state: ExecutionState
        var created: Int64
        /// The by-state score, as `set_state` writes it with `updated`.
        var updated: Int64
    }

    static let timeFields: Set<String> = ["created", "updated", "queued", "dispatched", "started", "ended", "finished"]

    /// Most executions succeed; some fail or are cancelled (one in ten, then one in fifty).
    static func state(_ i: Int) -> ExecutionState {
        if i % 10 == 3 { return .failed }
        if i % 50 == 7 { return .cancelled }
        return .succeeded
    }

    /// Takes one execution through its lifecycle with the real scripts and keeps it as the template.
    init(store: ExecutionStore) throws {
        redis = store.redis
        keys = store.keys
        let job = "nightly-report"
        _ = try store.create(NewExecution(job: job, params: ["date": "2026-11-25"]), queueLimit: 0)
        guard let c = try store.claim(allowed: [job: 0], leaseMillis: 60_000, gateway: "gateway-1") else {
            throw ScaleError("the template execution could not be claimed")
        }
        _ = try store.start(id: c.id, attempt: c.attempt, worker: "worker-1", leaseMillis: 60_000)
        _ = try store.finish(id: c.id, attempt: c.attempt, worker: "worker-1", end: AttemptEnd(outcome: .succeeded, exitCode: 0))
        template = ExecutionStore.fieldMap(try redis.send("HGETALL", keys.exec(c.id)))
        guard template["state"] == "succeeded", template["created"] != nil, template["updated"] != nil else {
            throw ScaleError("the template is not a succeeded execution: \(template)")
        }
        // The template leaves the indexes: only seeded executions count.
        _ = try redis.pipeline([RedisCommand("DEL", keys.exec(c.id)), RedisCommand("ZREM", keys.recent, c.id),
                                RedisCommand("ZREM", keys.byState("succeeded"), c.id), RedisCommand("ZREM", keys.byJob(job), c.id)])
    }

    var job: String { template["job"]! }

    /// Seeds `count` executions created at `baseMs + i` ms (unique, so the order is known).
    mutating func seed(count: Int, baseMs: Int64, batch: Int = 10_000) throws {
        let created0 = Int64(template["created"]!)!
        let finished0 = template["finished"] ?? ""
        let updatedOffset = Int64(template["updated"]!)! - created0
        var random = SystemRandomNumberGenerator()
        let fixed = template.filter { $0.key != "id" && $0.key != "state" && !Self.timeFields.contains($0.key) && $0.key != "history" }
            .flatMap { [Array($0.key.utf8), Array($0.value.utf8)] }
        let times = template.compactMap { k, v in Self.timeFields.contains(k) ? (Array(k.utf8), Int64(v)! - created0) : nil }
        let historyParts = template["history"].map { finished0.isEmpty ? [$0] : $0.components(separatedBy: finished0) }
        seeded.reserveCapacity(seeded.count + count)
        var from = 0
        while from < count {
            let to = min(count, from + batch)
            var commands: [RedisCommand] = []
            var recent: [[UInt8]] = [Array("ZADD".utf8), Array(keys.recent.utf8)]
            var byJob: [[UInt8]] = [Array("ZADD".utf8), Array(keys.byJob(job).utf8)]
            var byState: [ExecutionState: [[UInt8]]] = [:]
            for i in from..<to {
                let created = baseMs + Int64(i)
                let id = ExecutionID.make(unixMillis: UInt64(created), random: &random)
                let state = Self.state(i)
                let updated = created + updatedOffset
                var args: [[UInt8]] = [Array("HSET".utf8), Array(keys.exec(id).utf8), Array("id".utf8), Array(id.utf8),
                                       Array("state".utf8), Array(state.rawValue.utf8)]
                args += fixed
                for (k, offset) in times { args += [k, Array(String(created + offset).utf8)] }
                if let parts = historyParts {
                    let at = finished0.isEmpty ? "" : String(Int64(finished0)! - created0 + created)
                    args += [Array("history".utf8), Array(parts.joined(separator: at).utf8)]
                }
                commands.append(RedisCommand(bytes: args))
                recent += [Array(String(created).utf8), Array(id.utf8)]
                byJob += [Array(String(created).utf8), Array(id.utf8)]
                byState[state, default: [Array("ZADD".utf8), Array(keys.byState(state.rawValue).utf8)]] +=
                    [Array(String(updated).utf8), Array(id.utf8)]
                seeded.append(Seeded(id: id, state: state, created: created, updated: updated))
            }
            commands.append(RedisCommand(bytes: recent))
            commands.append(RedisCommand(bytes: byJob))
            commands += byState.values.map { RedisCommand(bytes: $0) }
            for reply in try redis.pipeline(commands) {
                if let e = reply.errorMessage { throw ScaleError("seeding \(from)..<\(to): Redis refused a write: \(e)") }
            }
            from = to
        }
    }
}

struct ScaleError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
