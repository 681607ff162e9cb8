import FleetAPI
import Foundation
import Glibc
import HTTP
import Synchronization

/// `e2e-bench steady`: POSTs `noop` executions at a fixed rate for a while, on `threads`
/// keep-alive connections (each thread paced at its share of the rate), and prints one
/// line every `report` seconds: sent, accepted (202), refused (429), unavailable (503),
/// outcome unknown (504), other errors. A soak runs it in the background while faults happen.
func steady(gateway: String, rate: Int, seconds: Int, threads: Int, report: Int) {
    struct Counts { var sent = 0, accepted = 0, refused = 0, unavailable = 0, unknown = 0, errors = 0 }
    let counts = Mutex(Counts())
    let stop = Atomic<Bool>(false)
    let perThread = max(1, Double(rate) / Double(threads))
    let start = monotonicSeconds()
    var workers: [Thread] = []
    for _ in 0..<threads {
        let t = Thread {
            let client = HTTPClient(connectTimeout: .seconds(2), requestTimeout: .seconds(10))
            var n = 0.0
            while !stop.load(ordering: .relaxed) {
                // Paced: the n-th request of this thread is due at start + n / perThread.
                let due = start + n / perThread
                let now = monotonicSeconds()
                if due > now { usleep(useconds_t(min(0.1, due - now) * 1e6)); continue }
                n += 1
                var c = Counts(sent: 1)
                do {
                    let r = try client.request("POST", gateway + GatewayAPI.execute.pattern, headers: jsonHeaders, body: body)
                    switch r.status {
                    case 202: c.accepted = 1
                    case 429: c.refused = 1
                    case 503: c.unavailable = 1
                    case 504: c.unknown = 1
                    default: c.errors = 1
                    }
                } catch {
                    c.errors = 1
                    usleep(50_000)
                }
                counts.withLock { s in
                    s.sent += c.sent; s.accepted += c.accepted; s.refused += c.refused
                    s.unavailable += c.unavailable; s.unknown += c.unknown; s.errors += c.errors
                }
            }
        }
        t.start()
        workers.append(t)
    }
    var last = Counts()
    var elapsed = 0
    while elapsed < seconds {
        let step = min(report, seconds - elapsed)
        sleep(UInt32(step))
        elapsed += step
        let now = counts.withLock { $0 }
        let line = String(format: "steady t=%ds sent=%d accepted=%d refused=%d unavailable=%d unknown=%d errors=%d rate=%.0f/s\n",
                          elapsed, now.sent, now.accepted, now.refused, now.unavailable, now.unknown, now.errors,
                          Double(now.sent - last.sent) / Double(step))
        FileHandle.standardOutput.write(Data(line.utf8))  // unbuffered: the soak script reads it live
        last = now
    }
    stop.store(true, ordering: .relaxed)
    Thread.sleep(forTimeInterval: 0.5)
}
