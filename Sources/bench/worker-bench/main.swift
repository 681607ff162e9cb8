// worker-bench: drives one running batch-worker directly over HTTP, playing
// the gateway's part (create, claim, dispatch), and prints executions per
// second for the builtin noop and for /bin/true, and the worker's RSS idle and
// with 100 running `sleep 30` jobs. Run by bench/worker, which starts the
// Redis and the worker with the job types this program expects.
import BatchCore
import FleetAPI
import Foundation
import Glibc
import HTTP
import Redis
import Store
import Synchronization

struct Options {
    var redis = "redis://127.0.0.1:6379/0"
    var namespace = "bench"
    var worker = "http://127.0.0.1:20190"
    var pid: Int32 = 0
    var noop = 20_000
    var command = 2_000
    var running = 100
    var clients = 8

    init(_ args: [String]) {
        var i = 0
        func value() -> String {
            i += 1
            guard i < args.count else { fail("\(args[i - 1]) needs a value") }
            return args[i]
        }
        while i < args.count {
            switch args[i] {
            case "--redis": redis = value()
            case "--namespace": namespace = value()
            case "--worker": worker = value()
            case "--pid": pid = Int32(value()) ?? 0
            case "--noop": noop = Int(value()) ?? noop
            case "--command": command = Int(value()) ?? command
            case "--running": running = Int(value()) ?? running
            case "--clients": clients = Int(value()) ?? clients
            case "--help", "-h":
                print("usage: worker-bench --redis URL --namespace NS --worker URL --pid PID [--noop N] [--command N] [--running N] [--clients N]")
                exit(0)
            default: fail("unknown argument \(args[i]) (see --help)")
            }
            i += 1
        }
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("worker-bench: \(message)\n".utf8))
    exit(1)
}

let options = Options(Array(CommandLine.arguments.dropFirst()))
let redis: RedisClient
do {
    var ro = RedisOptions()
    ro.poolSize = 16
    redis = RedisClient(url: try RedisURL(parsing: options.redis), options: ro)
} catch { fail("bad Redis URL \(options.redis): \(error)") }
let store = ExecutionStore(redis: redis, namespace: options.namespace)

/// A field of a /proc file in kB (`VmRSS:` of status, `Pss:` of smaps_rollup), or -1.
func procKiB(_ pid: Int32, _ file: String, _ field: String) -> Int {
    guard let s = try? String(contentsOfFile: "/proc/\(pid)/\(file)", encoding: .utf8) else { return -1 }
    for line in s.split(separator: "\n") where line.hasPrefix(field) {
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1
    }
    return -1
}

/// RSS, with its proportional (PSS) and anonymous parts, in MB.
func memory(_ pid: Int32) -> String {
    let mb = { (k: Int) in String(format: "%.1f", Double(k) / 1024) }
    return "\(mb(procKiB(pid, "status", "VmRSS:"))) MB RSS (PSS \(mb(procKiB(pid, "smaps_rollup", "Pss:"))) MB, anonymous \(mb(procKiB(pid, "status", "RssAnon:"))) MB)"
}

/// Runs `body(i)` for i in 0..<count on `threads` threads.
func parallel(_ count: Int, threads: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let next = Atomic<Int>(0)
    let group = DispatchGroup()
    for _ in 0..<max(1, threads) {
        group.enter()
        Thread.detachNewThread {
            while true {
                let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
                if i >= count { break }
                body(i)
            }
            group.leave()
        }
    }
    group.wait()
}

/// Creates and claims `count` executions of `job`, as a gateway would.
func seed(_ job: String, _ count: Int, params: [String: String] = [:]) -> [ClaimedExecution] {
    let claimed = Mutex<[ClaimedExecution]>([])
    parallel(count, threads: 4) { _ in
        do {
            _ = try store.create(NewExecution(job: job, params: params, timeoutSeconds: 600), queueLimit: 10_000_000)
            if let c = try store.claim(allowed: [job: 0], leaseMillis: 600_000, gateway: "bench") {
                claimed.withLock { $0.append(c) }
            }
        } catch { fail("seeding \(job): \(error)") }
    }
    let all = claimed.withLock { $0 }
    if all.count != count { fail("seeded \(count) executions of \(job) but claimed \(all.count)") }
    return all
}

/// Dispatches every execution (retrying 429 answers) and returns once all have ended.
func drive(_ job: String, _ executions: [ClaimedExecution], target: ExecutionState) -> (seconds: Double, refusals: Int) {
    let before = (try? store.counts()[target] ?? 0) ?? 0
    let refusals = Atomic<Int>(0)
    let clients = (0..<options.clients).map { _ in HTTPClient(connectTimeout: .seconds(2), requestTimeout: .seconds(10)) }
    let start = ContinuousClock.now
    let perClient = (executions.count + options.clients - 1) / options.clients
    parallel(options.clients, threads: options.clients) { k in
        let client = clients[k]
        for c in executions.dropFirst(k * perClient).prefix(perClient) {
            let body = WorkerDispatchRequest(executionId: c.id, attempt: c.attempt, params: c.params,
                                             timeoutSeconds: c.timeoutSeconds, leaseMs: 60_000)
            while true {
                do {
                    let r = try client.post(options.worker + WorkerAPI.dispatch.path(job), json: body)
                    if r.status == 202 { break }
                    if r.status == 429 { refusals.wrappingAdd(1, ordering: .relaxed); usleep(200); continue }
                    fail("dispatch of \(c.id) answered \(r.status): \(r.text)")
                } catch { fail("dispatch of \(c.id): \(error)") }
            }
        }
    }
    while true {
        let done = ((try? store.counts()[target] ?? 0) ?? 0) - before
        if done >= executions.count { break }
        if ContinuousClock.now - start > .seconds(300) { fail("only \(done) of \(executions.count) \(job) executions reached \(target) in 300 s") }
        usleep(2_000)
    }
    let d = ContinuousClock.now - start
    return (Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18, refusals.load(ordering: .relaxed))
}

print("worker-bench: worker \(options.worker) (pid \(options.pid)), \(options.clients) HTTP clients")
print("memory idle:                 \(memory(options.pid))  (target <= 15 MB)")

let noops = seed("noop", options.noop)
let n = drive("noop", noops, target: .succeeded)
print(String(format: "builtin noop:                %6.0f executions/s  (%d in %.2f s, %d refused as full; target >= 5000)",
             Double(options.noop) / n.seconds, options.noop, n.seconds, n.refusals))

print("memory after the noop run:    \(memory(options.pid))")
let trues = seed("true", options.command)
let t = drive("true", trues, target: .succeeded)
print(String(format: "command /bin/true:           %6.0f executions/s  (%d in %.2f s, %d refused as full; target >= 500)",
             Double(options.command) / t.seconds, options.command, t.seconds, t.refusals))

print("memory after the /bin/true run: \(memory(options.pid))")
let sleepers = seed("sleep30", options.running)
let client = HTTPClient()
for c in sleepers {
    let body = WorkerDispatchRequest(executionId: c.id, attempt: c.attempt, params: c.params, timeoutSeconds: c.timeoutSeconds, leaseMs: 60_000)
    guard let r = try? client.post(options.worker + WorkerAPI.dispatch.path("sleep30"), json: body), r.status == 202 else {
        fail("could not start \(options.running) sleep 30 jobs (is [worker] slots at least \(options.running)?)")
    }
}
usleep(500_000)
print("memory with \(options.running) running jobs:  \(memory(options.pid))  (target <= 40 MB)")
for c in sleepers { _ = try? client.request(WorkerAPI.cancel.method, options.worker + WorkerAPI.cancel.path(c.id)) }
let clock = ContinuousClock()
let deadline = clock.now + .seconds(30)
while ((try? store.counts()[.cancelled] ?? 0) ?? 0) < options.running && clock.now < deadline { usleep(20_000) }
