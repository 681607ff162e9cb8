/// Where Redis is and how to log in.
///
/// Forms:
/// - `redis://[[user]:password@]host[:port][/db]` (port 6379, db 0 by default; `[::1]` for IPv6)
/// - `unix:///path/to/redis.sock[?db=N&password=P&user=U]`
/// - `redis+sentinel://[[user]:password@]h1[:26379],h2[:26379]/mastername[/db]` (credentials are the master's)
public struct RedisURL: Sendable, Equatable {
    /// A host and port.
    public struct HostPort: Sendable, Equatable, CustomStringConvertible {
        public var host: String
        public var port: Int
        public init(host: String, port: Int) { self.host = host; self.port = port }
        public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    public enum Endpoint: Sendable, Equatable {
        case tcp(HostPort)
        case unix(path: String)
        case sentinel(nodes: [HostPort], masterName: String)
    }

    public var endpoint: Endpoint
    public var username: String?
    public var password: String?
    public var database: Int

    public init(endpoint: Endpoint, username: String? = nil, password: String? = nil, database: Int = 0) {
        self.endpoint = endpoint
        self.username = username
        self.password = password
        self.database = database
    }

    public init(parsing text: String) throws {
        self = try RedisURLParser(text).parse()
    }
}

extension RedisURL: CustomStringConvertible {
    /// The URL with its password masked, fit for logs.
    public var description: String {
        var auth = ""
        if username != nil || password != nil {
            auth = (username ?? "") + (password != nil ? ":***" : "") + "@"
        }
        switch endpoint {
        case .tcp(let hp):
            return "redis://\(auth)\(hp)/\(database)"
        case .unix(let path):
            var query = "db=\(database)"
            if let username { query += "&user=\(username)" }
            if password != nil { query += "&password=***" }
            return "unix://\(path)?\(query)"
        case .sentinel(let nodes, let name):
            return "redis+sentinel://\(auth)\(nodes.map(\.description).joined(separator: ","))/\(name)/\(database)"
        }
    }
}
