import BatchCore
import Daemon
import FoundationEssentials
import HTTP
import Platform

/// The daemon's HTTP endpoint as a service: `start()` binds (so readiness
/// follows listening), `stop()` stops accepting and finishes what is in flight.
public final class HTTPService: Service {
    public let name = "http"
    let server: HTTPServer
    let stopSignal = StopSignal()
    let drain: Duration

    public init(context: DaemonContext, drain: Duration = .seconds(10)) {
        var config = context.httpConfiguration
        let requests = context.metrics.counter("batch_http_requests_total", help: "HTTP requests by route and status code.",
                                               labels: ["route", "code"])
        let durations = context.metrics.histogram("batch_http_request_duration_seconds", help: "HTTP request durations by route.",
                                                  labels: ["route"], buckets: Histogram.latencyBuckets)
        let log = context.logger
        config.accessLog = { entry in
            let route = HTTPService.route(of: entry.target)
            requests.labels(route, String(entry.status)).inc()
            durations.labels(route).observe(entry.duration.inSeconds)
            if log.isEnabled(.debug) || entry.status >= 500 {
                log.log(entry.status >= 500 ? .warning : .debug, "http request",
                        ["method": entry.method, "target": entry.target, "status": String(entry.status),
                         "ms": String(entry.duration.inMilliseconds), "peer": entry.remoteAddress])
            }
        }
        server = HTTPServer(configuration: config, router: context.router)
        self.drain = drain
    }

    public func start() async throws {
        try server.start()
    }

    public func run() async throws {
        await stopSignal.wait()
    }

    public func stop() async {
        let s = server
        let d = drain
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            startThread(name: "http-shutdown") {
                s.shutdown(deadline: d)
                c.resume()
            }
        }
        stopSignal.stop()
    }

    /// The route label of a request target: the path without its query, with
    /// execution ids and other variable segments folded, so labels stay few.
    static func route(of target: String) -> String {
        let path = target.split(separator: "?", maxSplits: 1).first.map(String.init) ?? target
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).map { seg -> String in
            let s = String(seg)
            if ExecutionID.isValid(s) { return "{id}" }
            return s
        }
        var p = parts.joined(separator: "/")
        // `/api/batch/{jobType}` names a job type: fold it too.
        if p.hasPrefix("/api/batch/"), !p.hasPrefix("/api/batch/executions") { p = "/api/batch/{jobType}" }
        return p.count > 64 ? String(p.prefix(64)) : p
    }
}
