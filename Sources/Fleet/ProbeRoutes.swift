import BatchCore
import Daemon
import FleetAPI
import FoundationEssentials
import HTTP

/// `GET /livez` and `GET /readyz`, the probes of every daemon beside `/health`'s document.
///
/// - `/livez`: the process works. Answered on the event loop from the heartbeats of the
///   daemon's own loops, never from Redis: the systemd watchdog feeds on it, and a Redis
///   outage must not make systemd restart the fleet.
/// - `/readyz`: it can serve now: Redis answers (and what the daemon adds, e.g. a worker's
///   job types registered). A load balancer sends traffic by it.
enum ProbeRoutes {
    struct Probe: Codable {
        var status: String
        var detail: String?
    }

    static func install(_ context: DaemonContext, ready: (@Sendable () -> String?)?) {
        context.router.addDeferred(DaemonAPI.livez) { _, responder in
            responder.respond(livez(context.liveness))
        }
        context.router.add(DaemonAPI.readyz) { _ in
            guard context.redis.ping() else {
                return .json(Probe(status: "unavailable",
                                   detail: "Redis at \(DaemonMain.redacted(context.configuration.redis.url)) does not answer"), status: 503)
            }
            if let why = ready?() { return .json(Probe(status: "unavailable", detail: why), status: 503) }
            return .json(Probe(status: "ok"))
        }
    }

    static func livez(_ liveness: Liveness) -> HTTPResponse {
        let stale = liveness.stale()
        if stale.isEmpty { return .json(Probe(status: "ok")) }
        let what = stale.map { "\($0.name) silent for \($0.silentMillis) ms" }.joined(separator: "; ")
        return .json(Probe(status: "stale", detail: what), status: 503)
    }
}

/// Asks this daemon's own `/livez` over loopback: the listener, an event loop and every
/// watched loop answer for the process. The systemd watchdog is fed only while it says ok.
struct SelfProbe: Sendable {
    let url: String
    let client: HTTPClient

    init(listen: HostPort) {
        let host = listen.host == "0.0.0.0" || listen.host.isEmpty ? "127.0.0.1" : listen.host
        url = "http://\(host):\(listen.port)/livez"
        client = HTTPClient(connectTimeout: .seconds(2), requestTimeout: .seconds(5), maxIdlePerHost: 1)
    }

    /// nil when the process works, else why not.
    func check() -> String? {
        do {
            let r = try client.get(url)
            return r.status == 200 ? nil : "\(url) answered \(r.status): \(String(decoding: r.body.prefix(300), as: UTF8.self))"
        } catch {
            return "\(url): \(error)"
        }
    }
}
