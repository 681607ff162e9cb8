import Platform
import BatchCore
import Foundation
import Redis
import Store

/// Read latency with many retained executions: a page of 50 by state, the
/// counts per state and one execution, each repeated, as p50/p99.
struct ScaleBench {
    let redis: RedisClient
    let count: Int
    let repetitions: Int

    func run(namespace: String) throws {
        let clock = ContinuousClock()
        let seeder = try Seeder(redis: redis, namespace: namespace)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let t0 = clock.now
        let ids = try seeder.seed(count: count, baseMs: now - Int64(count) - 60_000)
        let seeded = clock.now - t0
        print("  seeded \(count) executions in \(fmt(seeded.inSeconds, 1)) s (\(fmt(Double(count) / seeded.inSeconds, 0))/s),"
              + " used_memory \(try redis.usedMemory() / 1_048_576) MiB")

        let store = ExecutionStore(redis: redis, namespace: namespace)
        let counts = try store.counts()
        let expected = (0..<count).reduce(into: [ExecutionState: Int]()) { $0[Seeder.state($1), default: 0] += 1 }
        for (s, n) in expected where counts[s] != n {
            throw BenchError.failed("counts: \(s) is \(counts[s] ?? 0), seeded \(n)")
        }
        let first = try store.list(state: .succeeded, limit: 50)
        guard first.executions.count == 50, let next = first.next else { throw BenchError.failed("first page has \(first.executions.count)") }
        let newest = ids.indices.reversed().first { Seeder.state($0) == .succeeded }!
        guard first.executions.first?.id == ids[newest] else { throw BenchError.failed("first page does not start with the newest succeeded execution") }
        // A page from the middle of the index, through its cursor.
        // A cursor is "<score>:<id>"; the highest id at a lower score starts a page from the middle.
        let nextScore = Int64(next.split(separator: ":").first ?? "") ?? 0
        let middleCursor = "\(nextScore - Int64(count / 2)):" + String(repeating: "Z", count: 26)
        let middle = try store.list(state: .succeeded, limit: 50, before: middleCursor)
        guard middle.executions.count == 50 else { throw BenchError.failed("middle page has \(middle.executions.count)") }

        let pageIds = first.executions.map(\.id)
        var random = SystemRandomNumberGenerator()
        let reads: [(String, String, () throws -> Void)] = [
            ("page of 50 by state (newest)", "evalsha", { _ = try store.list(state: .succeeded, limit: 50) }),
            ("page of 50 by state (middle)", "evalsha", { _ = try store.list(state: .succeeded, limit: 50, before: middleCursor) }),
            // The same records without the script or the record decoding: transport and reply conversion only.
            ("50 HGETALL pipelined (no script)", "hgetall", {
                let prefix = Keys(namespace: namespace).prefix + "exec:"
                _ = try redis.pipeline(pageIds.map { RedisCommand("HGETALL", prefix + $0) })
            }),
            ("counts per state", "zcard", { _ = try store.counts() }),
            ("one execution (get)", "hgetall", {
                let id = ids[Int.random(in: 0..<ids.count, using: &random)]
                guard try store.get(id) != nil else { throw BenchError.failed("get: \(id) not found") }
            }),
        ]
        for (name, command, read) in reads {
            for _ in 0..<10 { try read() }
            var samples = Samples()
            _ = try redis.send("CONFIG", "RESETSTAT")
            let cpu0 = CPUTime.thread()
            for _ in 0..<repetitions {
                let s = clock.now
                try read()
                samples.add(clock.now - s)
            }
            let clientCPU = (CPUTime.thread() - cpu0) / Double(repetitions) * 1000
            // Redis's own time for the read: the top-level command only (a script's time includes what it calls).
            let server = try redis.commandStats()[command]?.usec ?? 0
            print("  \(name.padding(toLength: 33, withPad: " ", startingAt: 0)) p50 \(fmt(samples.percentile(50) / 1000, 3)) ms"
                  + "  p99 \(fmt(samples.percentile(99) / 1000, 3)) ms  max \(fmt(samples.percentile(100) / 1000, 3)) ms"
                  + "  (\(repetitions) reps; per read: Redis \(fmt(Double(server) / Double(repetitions) / 1000, 3)) ms,"
                  + " client CPU \(fmt(clientCPU, 3)) ms)")
        }
        // What the page costs in Swift alone: turning 50 HGETALL replies into records.
        let raw = try redis.pipeline(pageIds.map { RedisCommand("HGETALL", Keys(namespace: namespace).prefix + "exec:" + $0) })
        let flat: [[String: String]] = raw.map { reply in
            let a = reply.array?.compactMap(\.string) ?? []
            var d: [String: String] = [:]
            for i in stride(from: 0, to: a.count - 1, by: 2) { d[a[i]] = a[i + 1] }
            return d
        }
        var decode = Samples()
        for _ in 0..<repetitions {
            let s = clock.now
            let records = flat.compactMap(ExecutionRecord.init(fields:))
            decode.add(clock.now - s)
            guard records.count == 50 else { throw BenchError.failed("decoding: \(records.count) of 50 records") }
        }
        print("  (page of 50: of which Swift decoding of 50 ExecutionRecords: p50 \(fmt(decode.percentile(50) / 1000, 3)) ms"
              + "  p99 \(fmt(decode.percentile(99) / 1000, 3)) ms)")
    }
}
