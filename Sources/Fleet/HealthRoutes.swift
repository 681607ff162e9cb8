import BatchCore
import Daemon
import FleetAPI
import FoundationEssentials
import HTTP
import Redis

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
        context.router.add(DaemonAPI.health) { _ in
            // While Redis is known to be down the client answers at once, without sending a PING
            // that a frozen Redis would hold for the whole read timeout.
            let ok = context.redis.ping()
            var detail: String?
            if !ok {
                let at = "Redis at \(DaemonMain.redacted(context.configuration.redis.url))"
                if case .down(let since, let cause) = context.redis.health.state {
                    detail = "\(at) is not serving (for \(RedisHealth.seconds(ContinuousClock.now - since))): \(cause)"
                } else {
                    detail = "\(at) does not answer"
                }
            }
            let h = Health(status: ok ? "ok" : "unavailable", role: context.role, id: context.id, version: batchVersion,
                           redis: ok ? "ok" : "unreachable", detail: detail)
            var response = HTTPResponse.json(h, status: ok ? 200 : 503)
            if !ok { response.headers.set("Retry-After", "1") }
            return response
        }
        context.router.add(DaemonAPI.metrics) { _ in
            var r = HTTPResponse.text(context.metrics.render())
            r.headers.set("Content-Type", MetricsRegistry.contentType)
            return r
        }
    }
}
