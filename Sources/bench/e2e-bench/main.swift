// e2e-bench: drives a running gateway over HTTP, as bench/e2e/run.sh sets it up.
//
//   e2e-bench throughput --gateway URL --redis URL --namespace NS [--jobs 20000] [--connections 32]
//       POSTs `jobs` noop executions on `connections` keep-alive connections (one thread, epoll, one
//       request at a time on each, as wrk does) and reports the time from the first POST to the
//       moment all of them are `succeeded` in Redis.
//   e2e-bench latency --gateway URL [--count 500] [--trace]
//       `count` sequential POSTs with `?wait=`: trigger-to-result round trips, p50 and p99. With
//       --trace, where each round trip's time went, hop by hop, from the times the execution
//       records (Redis' clock, in ms: means over many round trips resolve what one cannot).
//   e2e-bench steady --gateway URL [--rate 1000] [--seconds 60] [--threads 8] [--report 10]
//       POSTs at a fixed rate for a while and reports what was accepted and refused (bench/soak).
import BatchCore
import FleetAPI
import Foundation
import Glibc
import HTTP
import Redis
import Store
import Synchronization

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

func option(_ name: String, _ args: [String]) -> String? {
    guard let i = args.firstIndex(of: "--" + name), i + 1 < args.count else { return nil }
    return args[i + 1]
}

func monotonicSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

let body = Array(#"{"jobType":"noop"}"#.utf8)
let jsonHeaders: HTTPHeaders = ["Content-Type": "application/json"]

func throughput(gateway: String, redisURL: String, namespace: String, jobs: Int, connections: Int) throws {
    let store = ExecutionStore(redis: try RedisClient(url: redisURL), namespace: namespace)
    let before = try store.counts()[.succeeded] ?? 0
    let driver = try TriggerDriver(gateway: gateway, connections: connections, path: GatewayAPI.execute.pattern, body: body)
    let start = monotonicSeconds()
    let failed = try driver.run(count: jobs, expect: 202)
    let posted = monotonicSeconds() - start
    guard failed.isEmpty else { throw BenchError("\(failed.count) triggers failed, first: \(failed[0])") }
    var done = 0
    let deadline = start + 600
    while true {
        done = (try store.counts()[.succeeded] ?? 0) - before
        if done >= jobs || monotonicSeconds() > deadline { break }
        usleep(2000)
    }
    let elapsed = monotonicSeconds() - start
    guard done >= jobs else { throw BenchError("only \(done) of \(jobs) succeeded within 600 s") }
    print(String(format: "throughput jobs=%d seconds=%.3f per_second=%.0f triggered_in=%.3f", jobs, elapsed, Double(jobs) / elapsed, posted))
}

func latency(gateway: String, count: Int, trace: Bool) throws {
    let client = HTTPClient(connectTimeout: .seconds(2), requestTimeout: .seconds(30))
    var samples: [Double] = []
    var hops = HopTrace()
    for _ in 0..<count {
        let sent = Date().timeIntervalSince1970 * 1000
        let t0 = monotonicSeconds()
        let r = try client.request("POST", gateway + GatewayAPI.execute.pattern + "?wait=10", headers: jsonHeaders, body: body)
        samples.append(monotonicSeconds() - t0)
        guard r.status == 200, r.text.contains(#""state":"succeeded""#) else {
            throw BenchError("a trigger with ?wait= answered \(r.status): \(r.text)")
        }
        if trace { hops.add(answer: r.body, sent: sent, received: Date().timeIntervalSince1970 * 1000) }
    }
    if trace { hops.print() }
    samples.sort()
    func pct(_ p: Double) -> Double { samples[min(samples.count - 1, Int((p * Double(samples.count)).rounded(.up)) - 1)] * 1000 }
    print(String(format: "latency count=%d p50_ms=%.3f p99_ms=%.3f max_ms=%.3f", count, pct(0.5), pct(0.99), samples.last! * 1000))
}

let args = Array(CommandLine.arguments.dropFirst())
do {
    guard let mode = args.first, let gateway = option("gateway", args) else {
        throw BenchError("usage: e2e-bench throughput|latency|steady --gateway URL [--redis URL --namespace NS --jobs N --connections N | --count N | --rate N --seconds N]")
    }
    switch mode {
    case "throughput":
        guard let redis = option("redis", args), let ns = option("namespace", args) else {
            throw BenchError("throughput needs --redis URL and --namespace NS")
        }
        try throughput(gateway: gateway, redisURL: redis, namespace: ns,
                       jobs: Int(option("jobs", args) ?? "") ?? 20_000, connections: Int(option("connections", args) ?? "") ?? 32)
    case "latency":
        try latency(gateway: gateway, count: Int(option("count", args) ?? "") ?? 500, trace: args.contains("--trace"))
    case "steady":
        steady(gateway: gateway, rate: Int(option("rate", args) ?? "") ?? 1000, seconds: Int(option("seconds", args) ?? "") ?? 60,
               threads: Int(option("threads", args) ?? "") ?? 8, report: Int(option("report", args) ?? "") ?? 10)
    default:
        throw BenchError("unknown mode \(mode): throughput, latency or steady")
    }
} catch {
    FileHandle.standardError.write(Data("e2e-bench: \(error)\n".utf8))
    exit(1)
}
