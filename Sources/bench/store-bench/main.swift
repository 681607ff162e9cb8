import Platform
import Foundation
import Redis
import Store

// store-bench: throughput, memory and read latency of the execution store
// against a private Redis (bench/store starts one). Flushes that database.

func log(_ s: String) { print(s); fflush(nil) }

do {
    let options = try Options(arguments: CommandLine.arguments)
    let admin = try RedisClient(url: options.url)
    func fresh() throws { _ = try admin.send("FLUSHDB") }
    let version = try admin.info("server")["redis_version"] ?? "?"
    log("store-bench: Redis \(version) at \(options.url), \(ProcessInfo.processInfo.activeProcessorCount) cores")

    if options.phases.contains("lifecycle") {
        log("\nFull lifecycles (create → claim → start → finish succeeded), \(options.lifecycles) with \(options.threads) threads:")
        var best: (String, Double)?
        var runs: [(name: String, sharing: ClientSharing, batch: Int)] = ClientSharing.allCases
            .filter { options.modes.contains($0.rawValue) }.map { ($0.rawValue, $0, 1) }
        if options.batch > 1 && options.modes.contains("grouped") { runs.append(("grouped \(options.batch)", .perThread, options.batch)) }
        for run in runs {
            try fresh()
            var bench = LifecycleBench(url: options.url, threads: options.threads, total: options.lifecycles)
            bench.batch = run.batch
            let r = try bench.run(sharing: run.sharing, namespace: "bench-\(run.sharing.rawValue)")
            let steps = ["create", "claim", "start", "finish"].map { "\($0) \(fmt(r.meanMicros[$0] ?? 0, 0))" }.joined(separator: ", ")
            log("  \(run.name.padding(toLength: 10, withPad: " ", startingAt: 0)) clients: \(fmt(r.perSecond, 0)) lifecycles/s"
                + " (\(fmt(r.elapsed.inSeconds, 2)) s); mean µs per \(run.batch > 1 ? "execution" : "call"): \(steps)")
            log("             CPU per lifecycle: Redis \(fmt(r.redisCPUMicros, 0)) µs, this process \(fmt(r.clientCPUMicros, 0)) µs"
                + " → at most \(fmt(Double(ProcessInfo.processInfo.activeProcessorCount) * 1e6 / (r.redisCPUMicros + r.clientCPUMicros), 0))/s"
                + " on these cores, \(fmt(1e6 / r.redisCPUMicros, 0))/s with a core of its own for Redis")
            if best == nil || r.perSecond > best!.1 { best = (run.name, r.perSecond) }
        }
        if options.batch > 1 && options.modes.contains("grouped") {
            log("  (grouped: each thread takes \(options.batch) executions through each step in one round trip —"
                + " createMany, claimMany, startMany, finishMany — as the gateway and the workers group concurrent calls)")
        }
        if let b = best { log("  best: \(fmt(b.1, 0)) lifecycles/s with \(b.0) clients (target ≥ 15000)") }
    }
    if options.phases.contains("scripts") {
        try fresh()
        let n = max(1, min(5_000, options.lifecycles / 4))
        log("\nServer cost per script (INFO commandstats, one thread, \(n) calls each; inner commands per script call):")
        try ScriptCost(redis: admin, count: n).run(namespace: "bench-scripts")
    }
    if options.phases.contains("memory") {
        try fresh()
        log("\nMemory per retained execution (\(options.memoryExecutions) taken to succeeded, small params):")
        try MemoryBench(redis: admin, count: options.memoryExecutions).run(namespace: "bench-memory")
    }
    if options.phases.contains("scale") {
        try fresh()
        log("\nReads with \(options.scaleExecutions) retained executions (target < 5 ms each):")
        try ScaleBench(redis: admin, count: options.scaleExecutions, repetitions: options.repetitions).run(namespace: "bench-scale")
    }
    // ASYNC: a million executions take Redis longer to free than a read timeout.
    _ = try admin.send("FLUSHDB", "ASYNC")
    admin.close()
} catch {
    FileHandle.standardError.write(Data("store-bench: \(error)\n".utf8))
    exit(1)
}
