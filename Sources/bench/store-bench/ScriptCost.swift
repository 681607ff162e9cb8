import Platform
import Foundation
import BatchCore
import Redis
import Store

/// Server-side cost of each lifecycle script, from `INFO commandstats`: one
/// thread runs N creates, then N claims, N starts, N finishes, resetting the
/// statistics before each batch. Commands called from Lua are counted too, which
/// shows what each script spends its time on.
struct ScriptCost {
    let redis: RedisClient
    let count: Int

    func run(namespace: String) throws {
        let store = ExecutionStore(redis: redis, namespace: namespace)
        var warm = StepTimes()
        try LifecycleBench.lifecycle(ExecutionStore(redis: redis, namespace: namespace + ":warm"), worker: "w", steps: &warm)
        try baseline()
        var claimed: [ClaimedExecution] = []
        claimed.reserveCapacity(count)

        try measure("create") {
            for _ in 0..<count {
                _ = try store.create(NewExecution(job: LifecycleBench.job, params: LifecycleBench.params), queueLimit: 0)
            }
        }
        try measure("claim") {
            for _ in 0..<count {
                guard let c = try store.claim(allowed: [LifecycleBench.job: 0], leaseMillis: 600_000, gateway: "g1") else { throw BenchError.failed("claim found nothing with \(count) queued") }
                claimed.append(c)
            }
        }
        try measure("start") {
            for c in claimed {
                _ = try store.start(id: c.id, attempt: c.attempt, worker: "w", leaseMillis: 600_000)
            }
        }
        try measure("finish") {
            for c in claimed {
                _ = try store.finish(id: c.id, attempt: c.attempt, worker: "w", end: AttemptEnd(outcome: .succeeded, exitCode: 0))
            }
        }
    }

    /// What any call costs on this machine: a PING and a trivial script, same client and thread.
    private func baseline() throws {
        let trivial = RedisScript("return 1")
        _ = try redis.eval(trivial, keys: [], args: [])
        let clock = ContinuousClock()
        var t0 = clock.now
        for _ in 0..<count { _ = try redis.send("PING") }
        let ping = (clock.now - t0).inSeconds * 1e6 / Double(count)
        _ = try redis.send("CONFIG", "RESETSTAT")
        let cpu0 = try CPUTime.redis(redis)
        t0 = clock.now
        for _ in 0..<count { _ = try redis.eval(trivial, keys: [], args: ["batch:{x}:", 100_000]) }
        let eval = (clock.now - t0).inSeconds * 1e6 / Double(count)
        let cpu = (try CPUTime.redis(redis) - cpu0) * 1e6 / Double(count)
        let server = try redis.commandStats()["evalsha"].map { Double($0.usec) / Double($0.calls) } ?? 0
        print("  baseline: PING round trip \(fmt(ping, 1)) µs; EVALSHA of 'return 1': \(fmt(eval, 1)) µs round trip,"
              + " \(fmt(server, 1)) µs in the command, \(fmt(cpu, 1)) µs Redis CPU in all")
    }

    private func measure(_ name: String, _ body: () throws -> Void) throws {
        _ = try redis.send("CONFIG", "RESETSTAT")
        let clock = ContinuousClock()
        let cpu0 = try CPUTime.redis(redis)
        let t0 = clock.now
        try body()
        let client = (clock.now - t0).inSeconds * 1e6 / Double(count)
        let redisCPU = (try CPUTime.redis(redis) - cpu0) * 1e6 / Double(count)
        let stats = try redis.commandStats()
        guard let script = stats["evalsha"], script.calls > 0 else {
            throw BenchError.failed("\(name): INFO commandstats shows no EVALSHA calls")
        }
        let perCall = Double(script.usec) / Double(script.calls)
        // Inner commands per script call, most expensive first.
        let inner = stats.filter { $0.key != "evalsha" && $0.key != "eval" && $0.key != "config" && $0.key != "info" }
            .sorted { $0.value.usec > $1.value.usec }
            .prefix(6)
            .map { "\($0.key) \(fmt(Double($0.value.calls) / Double(count), 1))x \(fmt(Double($0.value.usec) / Double(count), 2))µs" }
        print("  \(name.padding(toLength: 7, withPad: " ", startingAt: 0)) in the command \(fmt(perCall, 1)) µs, Redis CPU \(fmt(redisCPU, 1)) µs,"
              + " round trip \(fmt(client, 1)) µs;"
              + " inside: \(inner.joined(separator: ", "))")
    }
}
