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
        let requests = context.metrics.counter("batch_http_requests_total", help: "HTTP requests served, by method, route and status code.",
                                               labels: ["method", "route", "code"])
        let durations = context.metrics.histogram("batch_http_request_duration_seconds", help: "HTTP request durations, by method and route.",
                                                  labels: ["method", "route"], buckets: Histogram.latencyBuckets)
        let log = context.logger
        config.accessLog = { entry in
            // The matched route's pattern: one label per route, whatever the paths (unmatched ones are "-").
            // Methods outside the standard ones share one label value, so a client cannot make series.
            let method = Self.standardMethods.contains(entry.method) ? entry.method : "other"
            requests.labels(method, entry.route, String(entry.status)).inc()
            durations.labels(method, entry.route).observe(entry.duration.inSeconds)
            if log.isEnabled(.debug) || entry.status >= 500 {
                log.log(entry.status >= 500 ? .warning : .debug, "http request",
                        ["method": entry.method, "target": entry.target, "status": String(entry.status),
                         "ms": String(entry.duration.inMilliseconds), "peer": entry.remoteAddress])
            }
        }
        server = HTTPServer(configuration: config, router: context.router)
        self.drain = drain
    }

    static let standardMethods: Set<String> = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]

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
}
