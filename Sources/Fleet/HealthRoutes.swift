import BatchCore
import Daemon
import FoundationEssentials
import HTTP

/// `GET /health` and `GET /metrics`, the same on every daemon.
enum HealthRoutes {
    struct Health: Codable {
        var status: String
        var role: String
        var id: String
        var version: String
        var redis: String
        var detail: String?
    }

    static func install(_ context: DaemonContext) {
        context.router.add("GET", "/health") { _ in
            let ok = context.redis.ping()
            let h = Health(status: ok ? "ok" : "unavailable", role: context.role, id: context.id, version: batchVersion,
                           redis: ok ? "ok" : "unreachable",
                           detail: ok ? nil : "Redis at \(DaemonMain.redacted(context.configuration.redis.url)) does not answer")
            return .json(h, status: ok ? 200 : 503)
        }
        context.router.add("GET", "/metrics") { _ in
            var r = HTTPResponse.text(context.metrics.render())
            r.headers.set("Content-Type", MetricsRegistry.contentType)
            return r
        }
    }
}
