import Platform
import BatchCore
import Foundation
import Redis
import Store
import Synchronization

/// How the benchmark threads reach Redis.
enum ClientSharing: String, CaseIterable {
    /// One `RedisClient` (a pool of one connection per thread) and one `ExecutionStore` for all
    /// threads, as in a daemon: calls made at the same time share a round trip.
    case shared
    /// Each thread its own `RedisClient` (pool of one).
    case perThread = "per-thread"
}

/// Full lifecycles (create → claim → start → finish succeeded) on many threads.
struct LifecycleBench {
    let url: String
    let threads: Int
    let total: Int
    /// Lifecycles a thread takes through each step together, one round trip per step (1: one by one).
    var batch: Int = 1

    static let job = "bench"
    static let params = ["date": "2026-11-25"]

    struct Outcome {
        var perSecond: Double
        var elapsed: Duration
        /// Client-side mean latency per step, µs.
        var meanMicros: [String: Double]
        /// CPU per lifecycle, µs: this process (all threads) and Redis.
        var clientCPUMicros: Double
        var redisCPUMicros: Double
    }

    func run(sharing: ClientSharing, namespace: String) throws -> Outcome {
        var options = RedisOptions()
        options.poolSize = threads
        let shared = try RedisClient(url: url, options: options)
        defer { shared.close() }
        var clients: [RedisClient] = []
        for _ in 0..<threads {
            if sharing == .shared {
                clients.append(shared)
            } else {
                var one = RedisOptions()
                one.poolSize = 1
                clients.append(try RedisClient(url: url, options: one))
            }
        }
        defer { if sharing == .perThread { clients.forEach { $0.close() } } }
        // Connect and load the scripts before the clock starts.
        var warm = StepTimes()
        for c in clients { try Self.lifecycle(ExecutionStore(redis: c, namespace: namespace + ":warm"), worker: "warm", steps: &warm) }

        let errors = Mutex<[String]>([])
        let steps = Mutex<[String: Samples]>([:])
        let done = DispatchGroup()
        let share = total / threads
        let startGate = DispatchSemaphore(value: 0)
        let clock = ContinuousClock()
        let sharedStore = ExecutionStore(redis: shared, namespace: namespace)
        for t in 0..<threads {
            let store = sharing == .shared ? sharedStore : ExecutionStore(redis: clients[t], namespace: namespace)
            let count = t == threads - 1 ? total - share * (threads - 1) : share
            done.enter()
            let thread = Thread {
                defer { done.leave() }
                startGate.wait()
                var local = StepTimes()
                do {
                    if batch > 1 {
                        var left = count
                        while left > 0 {
                            let n = min(batch, left)
                            try Self.lifecycles(n, store, worker: "w\(t)", steps: &local)
                            left -= n
                        }
                    } else {
                        for _ in 0..<count { try Self.lifecycle(store, worker: "w\(t)", steps: &local) }
                    }
                } catch {
                    errors.withLock { $0.append("thread \(t): \(error)") }
                }
                steps.withLock { all in
                    for (k, v) in local.samples { all[k, default: Samples()].merge(v) }
                }
            }
            thread.start()
        }
        let cpu0 = CPUTime.process(), redis0 = try CPUTime.redis(shared)
        let began = clock.now
        for _ in 0..<threads { startGate.signal() }
        done.wait()
        let elapsed = clock.now - began
        let cpu = CPUTime.process() - cpu0, redisCPU = try CPUTime.redis(shared) - redis0
        if let e = errors.withLock({ $0.first }) { throw BenchError.failed("lifecycle (\(sharing.rawValue)): \(e)") }
        let means = steps.withLock { $0.mapValues(\.meanMicros) }
        return Outcome(perSecond: Double(total) / elapsed.inSeconds, elapsed: elapsed, meanMicros: means,
                       clientCPUMicros: cpu * 1e6 / Double(total), redisCPUMicros: redisCPU * 1e6 / Double(total))
    }

    /// One execution from creation to `succeeded`, each step timed into `steps`.
    static func lifecycle(_ store: ExecutionStore, worker: String, steps: inout StepTimes) throws {
        _ = try steps.time("create") { try store.create(NewExecution(job: job, params: params), queueLimit: 0) }
        // Another thread may claim this one and leave us its own: both are queued, either will do.
        guard let claimed = try steps.time("claim", { try store.claim(allowed: [job: 0], leaseMillis: 60_000, gateway: "g1") }) else {
            throw BenchError.failed("claim found nothing right after a create")
        }
        let started = try steps.time("start") {
            try store.start(id: claimed.id, attempt: claimed.attempt, worker: worker, leaseMillis: 60_000)
        }
        guard started == .running else { throw BenchError.failed("start of \(claimed.id) answered \(started)") }
        let end = try steps.time("finish") {
            try store.finish(id: claimed.id, attempt: claimed.attempt, worker: worker, end: AttemptEnd(outcome: .succeeded, exitCode: 0))
        }
        guard end == .succeeded else { throw BenchError.failed("finish of \(claimed.id) answered \(end)") }
    }
}

extension LifecycleBench {
    /// `n` executions from creation to `succeeded`, each step one round trip for all of them
    /// (`createMany`, `claimMany`, `startMany`, `finishMany`); a step's time is per execution.
    static func lifecycles(_ n: Int, _ store: ExecutionStore, worker: String, steps: inout StepTimes) throws {
        let created = try steps.time("create", per: n) {
            try store.createMany((0..<n).map { _ in NewExecution(job: job, params: params) }, queueLimit: 0)
        }
        for r in created { _ = try r.get() }
        // Other threads may claim some of ours and leave theirs: all are queued, any will do.
        var claimed: [ClaimedExecution] = []
        var rounds = 0
        while claimed.count < n {
            rounds += 1
            if rounds > 10_000 { throw BenchError.failed("claims found \(claimed.count) of \(n) right after creating them") }
            claimed += try steps.time("claim", per: n) {
                try store.claimMany(allowed: [job: 0], max: n - claimed.count, leaseMillis: 60_000, gateway: "g1")
            }
        }
        let started = try steps.time("start", per: n) {
            try store.startMany(claimed.map { ($0.id, $0.attempt) }, worker: worker, leaseMillis: 60_000)
        }
        for (c, r) in zip(claimed, started) where try r.get() != .running { throw BenchError.failed("start of \(c.id) did not run") }
        let ends = try steps.time("finish", per: n) {
            try store.finishMany(claimed.map { ($0.id, $0.attempt, AttemptEnd(outcome: .succeeded, exitCode: 0)) }, worker: worker)
        }
        for (c, r) in zip(claimed, ends) where try r.get() != .succeeded { throw BenchError.failed("finish of \(c.id) did not succeed") }
    }
}

/// Client-side latency of each named step.
struct StepTimes {
    var samples: [String: Samples] = [:]
    private let clock = ContinuousClock()

    mutating func time<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
        let t0 = clock.now
        let r = try body()
        samples[name, default: Samples()].add(clock.now - t0)
        return r
    }

    /// Times a step done for `count` executions at once, recording the time per execution.
    mutating func time<T>(_ name: String, per count: Int, _ body: () throws -> T) rethrows -> T {
        let t0 = clock.now
        let r = try body()
        samples[name, default: Samples()].add((clock.now - t0) / max(1, count))
        return r
    }
}
