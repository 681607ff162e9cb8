// http-bench: the server and client halves of bench/http.
//   http-bench serve PORT [LOOPS]          trivial routes on 127.0.0.1:PORT until stdin closes
//   http-bench client URL COUNT            sequential keep-alive GETs; prints requests/s
//   http-bench latency URL COUNT [ROUNDS]  sequential keep-alive GETs; p50/p99 per round and the median p99
import Foundation
import Glibc
import HTTP

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(2)
}

let arguments = CommandLine.arguments
guard arguments.count >= 3 else { fail("usage: http-bench serve PORT [LOOPS] | client URL COUNT | latency URL COUNT") }

switch arguments[1] {
case "serve":
    guard let port = Int(arguments[2]) else { fail("serve: PORT must be a number") }
    var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: port)
    if arguments.count > 3, let loops = Int(arguments[3]) { configuration.eventLoops = loops }
    configuration.maxConnections = 20_000
    let router = Router()
    let hello = HTTPResponse(status: 200, headers: ["Content-Type": "text/plain"], body: Array("hello, world\n".utf8))
    // Deferred: answered on the event loop itself, the cheapest path.
    router.addDeferred("GET", "/") { _, responder in responder.respond(hello) }
    // Blocking: through the handler pool, as a handler that talks to Redis would be.
    router.add("GET", "/pool") { _ in hello }
    router.add("GET", "/slow") { _ in usleep(100_000); return hello }
    let server = HTTPServer(configuration: configuration, router: router)
    do { try server.start() } catch { fail("serve: \(error)") }
    print("listening on 127.0.0.1:\(server.boundPort)")
    fflush(nil)
    while let _ = readLine() {}
    server.shutdown(deadline: .seconds(2))
case "client":
    guard arguments.count == 4, let count = Int(arguments[3]), count > 0 else { fail("client: URL COUNT") }
    let client = HTTPClient()
    let samples = measure(client, arguments[2], count)
    let seconds = Double(samples.reduce(0, +)) / 1e9
    print(String(format: "client: %d sequential keep-alive GETs in %.2fs = %.0f req/s", count, seconds, Double(count) / seconds))
case "latency":
    guard arguments.count >= 4, let count = Int(arguments[3]), count > 0 else { fail("latency: URL COUNT [ROUNDS]") }
    let rounds = arguments.count > 4 ? Int(arguments[4]) ?? 1 : 1
    let client = HTTPClient()
    var p99s: [Double] = []
    for round in 1...rounds {
        let samples = measure(client, arguments[2], count).sorted()
        func percentile(_ p: Double) -> Double { Double(samples[min(samples.count - 1, Int(Double(samples.count) * p))]) / 1e6 }
        p99s.append(percentile(0.99))
        print(String(format: "round %d: p50 %.3f ms  p99 %.3f ms  max %.3f ms  (%d requests)", round, percentile(0.5), percentile(0.99), percentile(1.0), count))
    }
    print(String(format: "median p99 %.3f ms", p99s.sorted()[p99s.count / 2]))
default:
    fail("unknown mode \(arguments[1])")
}

/// Nanoseconds of each of `count` sequential GETs.
func measure(_ client: HTTPClient, _ url: String, _ count: Int) -> [UInt64] {
    var samples: [UInt64] = []
    samples.reserveCapacity(count)
    for _ in 0..<count {
        let t0 = DispatchTime.now().uptimeNanoseconds
        do {
            let response = try client.get(url)
            if response.status != 200 { fail("status \(response.status) from \(url)") }
        } catch { fail("request to \(url) failed: \(error)") }
        samples.append(DispatchTime.now().uptimeNanoseconds - t0)
    }
    return samples
}
