import BatchCore
import Foundation
import HTTP
import Redis

extension StoreDataSource {
    /// The data source a configuration describes: its Redis, namespace, gateway
    /// (`client.gateway`), request timeout (`client.timeout`) and token (`http.token-file`).
    /// Nothing is connected yet: Redis is reached on the first snapshot.
    public convenience init(configuration c: Configuration, user: String, lostFor: Duration = .seconds(3600)) throws(ConsoleError) {
        let url: RedisURL
        do { url = try RedisURL(parsing: c.redis.url, passwordFile: c.redis.passwordFile) } catch let e as RedisURLError {
            throw .usage("\(e)")
        } catch {
            throw .usage("redis.url \(Secrets.redactedURL(c.redis.url)): \(error)")
        }
        var options = RedisOptions()
        options.connectTimeout = c.redis.connectTimeout
        options.readTimeout = c.redis.readTimeout
        // One background queue makes every call: two connections are plenty.
        options.poolSize = 2
        let settings = Settings(gateway: c.client.gateway, token: try Self.readToken(c.http.tokenFile), user: user,
                                requestTimeout: c.client.timeout, lostFor: lostFor, schedules: c.schedules, configFiles: c.files)
        self.init(redis: RedisClient(url: url, options: options), namespace: c.redis.namespace, settings: settings,
                  http: HTTPClient(connectTimeout: min(c.client.timeout, .seconds(2)), requestTimeout: c.client.timeout, maxIdlePerHost: 2))
    }

    /// The bearer token in `path`, trimmed; nil without a path.
    static func readToken(_ path: String?) throws(ConsoleError) -> String? {
        guard let path, !path.isEmpty else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .usage("cannot read the token file \(path) (--token-file or http.token-file)")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if token.isEmpty { throw .usage("the token file \(path) is empty (--token-file or http.token-file)") }
        return token
    }

    /// Whether Redis answers now; the error says why not (for batch mode's start-up check).
    public func checkReachable() throws {
        _ = try fleet.redisTime()
    }
}
