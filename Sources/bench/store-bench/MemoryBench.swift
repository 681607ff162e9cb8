import BatchCore
import Foundation
import Redis
import Store

/// Redis memory per retained execution that went create → claim → start → finish succeeded.
struct MemoryBench {
    let redis: RedisClient
    let count: Int

    func run(namespace: String) throws {
        let keys = Keys(namespace: namespace)
        let store = ExecutionStore(redis: redis, namespace: namespace)
        var times = StepTimes()
        // Scripts loaded and connection open before the baseline.
        try LifecycleBench.lifecycle(ExecutionStore(redis: redis, namespace: namespace + ":warm"), worker: "w1", steps: &times)
        let before = try redis.usedMemory()
        for _ in 0..<count { try LifecycleBench.lifecycle(store, worker: "w1", steps: &times) }
        let after = try redis.usedMemory()

        let page = try store.list(state: .succeeded, limit: 1)
        guard let one = page.executions.first else { throw BenchError.failed("memory: no succeeded execution after \(count) lifecycles") }
        let hashKey = keys.prefix + "exec:" + one.id
        let hashBytes = try redis.memoryUsage(hashKey)
        let encoding = try redis.send("OBJECT", "ENCODING", hashKey).string ?? "?"
        let fields = try redis.send("HGETALL", hashKey).array?.compactMap(\.string) ?? []
        let config = try redis.send("CONFIG", "GET", "hash-max-listpack-*").array?.compactMap(\.string) ?? []
        var limits: [String: Int] = [:]
        for i in stride(from: 0, to: config.count - 1, by: 2) { limits[config[i]] = Int(config[i + 1]) }
        let maxValue = limits["hash-max-listpack-value"] ?? 64
        let maxEntries = limits["hash-max-listpack-entries"] ?? 128

        print("  one exec hash (\(fields.count / 2) fields): MEMORY USAGE \(hashBytes) B, encoding \(encoding)")
        var pairs: [(String, String)] = []
        for i in stride(from: 0, to: fields.count - 1, by: 2) { pairs.append((fields[i], fields[i + 1])) }
        let longest = pairs.max { $0.1.utf8.count < $1.1.utf8.count }
        if let l = longest { print("  longest field: \(l.0) = \(l.1.utf8.count) B (hash-max-listpack-value \(maxValue))") }
        for (k, v) in pairs where k.utf8.count > maxValue || v.utf8.count > maxValue {
            print("  OVER hash-max-listpack-value: \(k) (\(v.utf8.count) B): \(v)")
        }
        if pairs.count > maxEntries { print("  OVER hash-max-listpack-entries: \(pairs.count) fields > \(maxEntries)") }

        if encoding != "listpack" {
            try listpackWhatIf(pairs: pairs, key: keys.prefix + "bench:listpack-probe", maxValue: maxValue)
        }

        let delta = after - before
        print("  used_memory delta: \(delta) B for \(count) executions = \(fmt(Double(delta) / Double(count), 0)) B/execution")
        let indexKeys = [("recent", keys.prefix + "recent"), ("by-state:succeeded", keys.prefix + "by-state:succeeded"),
                         ("by-job:\(LifecycleBench.job)", keys.prefix + "by-job:" + LifecycleBench.job)]
        var indexTotal = 0
        for (name, key) in indexKeys {
            let b = try redis.memoryUsage(key)
            indexTotal += b
            print("    \(name.padding(toLength: 20, withPad: " ", startingAt: 0)) \(fmt(Double(b) / Double(count), 0)) B/execution")
        }
        let events = try redis.memoryUsage(keys.prefix + "events")
        let eventCount = Int(try redis.send("XLEN", keys.prefix + "events").int ?? 0)
        print("    events stream        \(fmt(Double(events) / Double(count), 0)) B/execution (\(eventCount) entries, capped at \(StoreLimits().eventsMax))")
        let logs = Int(try redis.send("EXISTS", keys.prefix + "log:" + one.id).int ?? 0)
        print("    log list             \(logs == 0 ? "none (the bench reports no output lines)" : "present")")
        let withoutEvents = Double(delta - events) / Double(count)
        print("  retained per execution without the capped events stream: \(fmt(withoutEvents, 0)) B"
              + " (hash + indexes by MEMORY USAGE: \(fmt(Double(hashBytes) + Double(indexTotal) / Double(count), 0)) B)")
    }

    /// What the same hash would take in listpack encoding: without its long
    /// fields, and whole with `hash-max-listpack-value` raised for a moment.
    private func listpackWhatIf(pairs: [(String, String)], key: String, maxValue: Int) throws {
        let short = pairs.filter { $0.0.utf8.count <= maxValue && $0.1.utf8.count <= maxValue }
        _ = try redis.send(RedisCommand(["HSET", key] + short.flatMap { [$0.0, $0.1] }))
        let withoutLong = try redis.memoryUsage(key)
        let enc1 = try redis.send("OBJECT", "ENCODING", key).string ?? "?"
        _ = try redis.send("DEL", key)
        let longest = pairs.map { max($0.0.utf8.count, $0.1.utf8.count) }.max() ?? 0
        _ = try redis.send("CONFIG", "SET", "hash-max-listpack-value", longest)
        defer { _ = try? redis.send("CONFIG", "SET", "hash-max-listpack-value", maxValue) }
        _ = try redis.send(RedisCommand(["HSET", key] + pairs.flatMap { [$0.0, $0.1] }))
        let whole = try redis.memoryUsage(key)
        let enc2 = try redis.send("OBJECT", "ENCODING", key).string ?? "?"
        _ = try redis.send("DEL", key)
        print("  what if: without the long fields \(withoutLong) B (\(enc1)); all fields with hash-max-listpack-value \(longest): \(whole) B (\(enc2))")
    }
}
