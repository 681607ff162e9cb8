import BatchCore
import Foundation
import Glibc
import HTTP
import Redis
import Store

/// What every command works with: the resolved configuration, the stores (opened
/// on first use), the gateway (found on first use), output and local time.
/// Used from the main thread only: batchctl runs one command and exits.
final class ControlContext {
    let configuration: Configuration
    let environment: [String: String]
    let out: Output
    let times: LocalTimes
    /// Who the audit names: `$USER`, else the uid.
    let user: String

    init(configuration: Configuration, environment: [String: String], out: Output, times: LocalTimes) {
        self.configuration = configuration
        self.environment = environment
        self.out = out
        self.times = times
        user = environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? "uid:\(getuid())"
    }

    var style: Style { out.style }
    var redisURL: String { configuration.redis.url }
    var namespace: String { configuration.redis.namespace }

    private var redisClient: RedisClient?
    private var gatewayClient: GatewayClient?

    /// The Redis client; the URL was checked when the configuration was resolved.
    func redis() throws(ControlError) -> RedisClient {
        if let r = redisClient { return r }
        var options = RedisOptions()
        options.connectTimeout = min(configuration.redis.connectTimeout, .seconds(3))
        options.readTimeout = configuration.redis.readTimeout
        options.poolSize = 2
        let url: RedisURL
        do { url = try RedisURL(parsing: redisURL, passwordFile: configuration.redis.passwordFile) } catch let e as RedisURLError {
            throw .config("\(e)")
        } catch {
            throw .config("invalid Redis URL \(Self.redacted(redisURL)): \(error); pass --redis redis://HOST:PORT/DB")
        }
        let r = RedisClient(url: url, options: options)
        redisClient = r
        return r
    }

    func executions() throws(ControlError) -> ExecutionStore {
        var limits = StoreLimits()
        limits.eventsMax = configuration.retention.eventsMax
        limits.logLines = configuration.retention.logLines
        return ExecutionStore(redis: try redis(), namespace: namespace, limits: limits)
    }

    func fleet() throws(ControlError) -> FleetRegistry {
        FleetRegistry(redis: try redis(), namespace: namespace, eventsMax: configuration.retention.eventsMax)
    }

    func schedules() throws(ControlError) -> ScheduleStore {
        ScheduleStore(redis: try redis(), namespace: namespace, eventsMax: configuration.retention.eventsMax)
    }

    /// Runs a store call, mapping its error once.
    func store<T>(_ body: () throws(StoreError) -> T) throws(ControlError) -> T {
        try ControlError.store(redisURL, body)
    }

    /// Redis' clock, ms: "now" for relative times, whatever the host's clock says.
    func now() throws(ControlError) -> Int64 {
        let f = try fleet()
        return try store { () throws(StoreError) in try f.redisTime() }
    }

    /// The gateway: `--gateway`/`client.gateway`, else the live gateways registered in Redis.
    func gateway() throws(ControlError) -> GatewayClient {
        if let g = gatewayClient { return g }
        var urls: [String] = []
        var discovered = false
        if let explicit = configuration.client.gateway {
            urls = [explicit]
        } else {
            let f = try fleet()
            let live = try store { () throws(StoreError) in try f.live(within: .seconds(5)) }
            urls = live.daemons.filter { $0.role == "gateway" && !$0.address.isEmpty }
                .sorted { $0.heartbeat > $1.heartbeat }.map(\.address)
            discovered = true
            if urls.isEmpty {
                throw .unavailable("no live gateway in Redis \(Self.redacted(redisURL)) namespace \(namespace); start batch-gateway or pass --gateway URL")
            }
        }
        let token = try readToken()
        var headers: HTTPHeaders = ["X-Batch-User": user, "X-Batch-Source": "batchctl", "Accept": "application/json"]
        if let token { headers.add("Authorization", "Bearer " + token) }
        let g = GatewayClient(urls: urls, discovered: discovered, headers: headers,
                              client: HTTPClient(connectTimeout: .seconds(2), requestTimeout: configuration.client.timeout))
        gatewayClient = g
        return g
    }

    /// The bearer token, from `--token-file`, `BATCH_TOKEN_FILE` or `http.token-file`.
    func readToken() throws(ControlError) -> String? {
        guard let path = configuration.http.tokenFile, !path.isEmpty else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .failed("cannot read the token file \(path); check the path and its permissions (--token-file, BATCH_TOKEN_FILE)")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if token.isEmpty { throw .failed("the token file \(path) is empty; write the gateway's token in it") }
        return token
    }

    /// A URL with its password hidden.
    static func redacted(_ url: String) -> String { Secrets.redactedURL(url) }
}
