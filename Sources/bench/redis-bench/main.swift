// redis-bench: SET throughput of the Redis client on one connection, unpipelined and pipelined,
// with the same key and value as `redis-benchmark -t set` (key "key:__rand_int__", value "xxx").
// Run by bench/redis, which starts a private redis-server and compares with redis-benchmark.
import Glibc
import Redis

func usage() -> Never {
    let text = "usage: redis-bench --url redis://127.0.0.1:PORT/0 [-n REQUESTS] [-P PIPELINE] [--only single|pipelined]\n"
    _ = text.withCString { write(2, $0, strlen($0)) }
    exit(2)
}

var urlText: String?
var requests = 100_000
var depth = 64
var only: String?
var args = CommandLine.arguments.dropFirst()
while let arg = args.popFirst() {
    switch arg {
    case "--url": urlText = args.popFirst()
    case "-n": requests = args.popFirst().flatMap { Int($0) } ?? { usage() }()
    case "-P": depth = args.popFirst().flatMap { Int($0) } ?? { usage() }()
    case "--only": only = args.popFirst()
    default: usage()
    }
}
guard let urlText, requests > 0, depth > 0, only == nil || only == "single" || only == "pipelined" else { usage() }

do {
    let connection = try RedisConnection(url: RedisURL(parsing: urlText))
    let set = RedisCommand("SET", "key:__rand_int__", "xxx")
    let clock = ContinuousClock()

    var start = clock.now
    if only != "pipelined" {
        for _ in 0..<requests { _ = try connection.send(set) }
    }
    let single = clock.now - start

    let batch = [RedisCommand](repeating: set, count: depth)
    start = clock.now
    var sent = 0
    while sent < requests && only != "single" {
        let n = min(depth, requests - sent)
        let replies = try connection.pipeline(n == depth ? batch : Array(batch.prefix(n)))
        precondition(replies.count == n, "pipeline answered \(replies.count) replies for \(n) commands")
        sent += n
    }
    let piped = clock.now - start

    func rate(_ d: Duration) -> Int {
        let (s, atto) = d.components
        return Int(Double(requests) / (Double(s) + Double(atto) / 1e18))
    }
    if only != "pipelined" { print("unpipelined_ops_per_sec=\(rate(single))") }
    if only != "single" { print("pipelined\(depth)_ops_per_sec=\(rate(piped))") }
} catch {
    let text = "redis-bench: \(error)\n"
    _ = text.withCString { write(2, $0, strlen($0)) }
    exit(1)
}
