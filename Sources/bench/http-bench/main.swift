// http-bench: the server and client halves of bench/http.
//   http-bench serve PORT [LOOPS]          trivial routes on 127.0.0.1:PORT until stdin closes
//   http-bench client URL COUNT            sequential keep-alive GETs; prints requests/s
//   http-bench latency URL COUNT           sequential GETs on fresh keep-alive client; prints p50/p99 in ms
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
case "client", "latency":
    guard arguments.count == 4, let count = Int(arguments[3]), count > 0 else { fail("\(arguments[1]): URL COUNT") }
    let client = HTTPClient()
    var samples: [UInt64] = []
    samples.reserveCapacity(count)
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<count {
        let t0 = DispatchTime.now().uptimeNanoseconds
        do {
            let response = try client.get(arguments[2])
            if response.status != 200 { fail("status \(response.status)") }
        } catch { fail("request failed: \(error)") }
        samples.append(DispatchTime.now().uptimeNanoseconds - t0)
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    samples.sort()
    func percentile(_ p: Double) -> Double { Double(samples[min(samples.count - 1, Int(Double(samples.count) * p))]) / 1e6 }
    if arguments[1] == "client" {
        print(String(format: "client: %d sequential keep-alive GETs in %.2fs = %.0f req/s", count, seconds, Double(count) / seconds))
    } else {
        print(String(format: "p50 %.3f ms  p99 %.3f ms  max %.3f ms  (%d requests)", percentile(0.5), percentile(0.99), percentile(1.0), count))
    }
default:
    fail("unknown mode \(arguments[1])")
}
