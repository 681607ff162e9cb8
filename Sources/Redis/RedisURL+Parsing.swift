struct RedisURLParser {
    let text: String

    init(_ text: String) { self.text = text }

    func parse() throws -> RedisURL {
        guard let schemeEnd = text.firstRange(of: "://") else {
            throw fail("missing scheme; expected redis://host:port/db, unix:///path or redis+sentinel://host:port/master")
        }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        let rest = String(text[schemeEnd.upperBound...])
        switch scheme {
        case "redis": return try parseTCP(rest)
        case "unix": return try parseUnix(rest)
        case "redis+sentinel": return try parseSentinel(rest)
        case "rediss": throw fail("TLS (rediss://) is not supported; use redis:// on a trusted network")
        default: throw fail("unknown scheme \"\(scheme)\"; expected redis, unix or redis+sentinel")
        }
    }

    private func fail(_ why: String) -> RedisError {
        .invalidURL("\"\(masked)\": \(why)")
    }

    /// The input with any password replaced, so errors never print secrets.
    private var masked: String {
        guard let schemeEnd = text.firstRange(of: "://"),
              let at = text[schemeEnd.upperBound...].lastIndex(of: "@") else { return text }
        let userinfo = text[schemeEnd.upperBound..<at]
        guard let colon = userinfo.firstIndex(of: ":") else { return text }
        return String(text[..<colon]) + ":***" + String(text[at...])
    }

    private func splitUserinfo(_ rest: String) throws -> (user: String?, password: String?, remainder: String) {
        guard let at = rest.lastIndex(of: "@") else { return (nil, nil, rest) }
        let userinfo = rest[..<at]
        let remainder = String(rest[rest.index(after: at)...])
        var user: String?
        var password: String?
        if let colon = userinfo.firstIndex(of: ":") {
            user = try decode(String(userinfo[..<colon]), what: "user name")
            password = try decode(String(userinfo[userinfo.index(after: colon)...]), what: "password")
        } else {
            // A lone `secret@host` is a password, as redis-cli -u reads it.
            password = try decode(String(userinfo), what: "password")
        }
        if user?.isEmpty == true { user = nil }
        return (user, password, remainder)
    }

    private func decode(_ s: String, what: String) throws -> String {
        guard s.contains("%") else { return s }
        var bytes = [UInt8]()
        var utf8 = Array(s.utf8)[...]
        while let b = utf8.popFirst() {
            if b == UInt8(ascii: "%") {
                guard utf8.count >= 2,
                      let v = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) else {
                    throw fail("bad percent-escape in the \(what)")
                }
                bytes.append(v)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(b)
            }
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw fail("the \(what) is not valid UTF-8 after percent-decoding")
        }
        return decoded
    }

    private func parseHostPort(_ s: Substring, defaultPort: Int) throws -> RedisURL.HostPort {
        var host: Substring
        var portText: Substring?
        if s.hasPrefix("[") {
            guard let close = s.firstIndex(of: "]") else { throw fail("unclosed \"[\" in IPv6 host") }
            host = s[s.index(after: s.startIndex)..<close]
            let after = s[s.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw fail("expected \":port\" after \"]\"") }
                portText = after.dropFirst()
            }
        } else if let colon = s.lastIndex(of: ":") {
            host = s[..<colon]
            portText = s[s.index(after: colon)...]
        } else {
            host = s
        }
        guard !host.isEmpty else { throw fail("missing host") }
        var port = defaultPort
        if let portText {
            guard let p = Int(portText), (1...65535).contains(p) else {
                throw fail("port \"\(portText)\" is not a number in 1...65535")
            }
            port = p
        }
        return .init(host: String(host), port: port)
    }

    private func parseDatabase(_ s: Substring) throws -> Int {
        if s.isEmpty { return 0 }
        guard let db = Int(s), db >= 0 else { throw fail("database \"\(s)\" is not a non-negative integer") }
        return db
    }

    private func splitQuery(_ s: String) -> (String, [(String, String)]) {
        guard let q = s.firstIndex(of: "?") else { return (s, []) }
        let pairs = s[s.index(after: q)...].split(separator: "&").map { pair -> (String, String) in
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (String(kv[0]), kv.count > 1 ? String(kv[1]) : "")
        }
        return (String(s[..<q]), pairs)
    }

    private func parseTCP(_ rest: String) throws -> RedisURL {
        let (withoutQuery, query) = splitQuery(rest)
        if let key = query.first?.0 { throw fail("unknown query parameter \"\(key)\" (put the db in the path)") }
        let (user, password, remainder) = try splitUserinfo(withoutQuery)
        let slash = remainder.firstIndex(of: "/")
        let authority = slash.map { remainder[..<$0] } ?? remainder[...]
        let path = slash.map { remainder[remainder.index(after: $0)...] } ?? ""
        guard !path.contains("/") else { throw fail("unexpected path \"/\(path)\"; expected /db") }
        let hp = try parseHostPort(authority, defaultPort: 6379)
        return RedisURL(endpoint: .tcp(hp), username: user, password: password, database: try parseDatabase(path))
    }

    private func parseUnix(_ rest: String) throws -> RedisURL {
        let (path, query) = splitQuery(rest)
        guard path.hasPrefix("/") else { throw fail("the socket path must be absolute, as in unix:///run/redis.sock") }
        var url = RedisURL(endpoint: .unix(path: path))
        for (key, value) in query {
            switch key {
            case "db": url.database = try parseDatabase(value[...])
            case "password": url.password = try decode(value, what: "password")
            case "user": url.username = try decode(value, what: "user name")
            default: throw fail("unknown query parameter \"\(key)\"; expected db, user or password")
            }
        }
        return url
    }

    private func parseSentinel(_ rest: String) throws -> RedisURL {
        let (withoutQuery, query) = splitQuery(rest)
        if let key = query.first?.0 { throw fail("unknown query parameter \"\(key)\"") }
        let (user, password, remainder) = try splitUserinfo(withoutQuery)
        let parts = remainder.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 2, !parts[1].isEmpty else {
            throw fail("missing master name; expected redis+sentinel://host:26379,host2:26379/mastername/db")
        }
        guard parts.count <= 3 else { throw fail("too many path parts; expected /mastername/db") }
        let nodes = try parts[0].split(separator: ",", omittingEmptySubsequences: false).map {
            try parseHostPort($0, defaultPort: 26379)
        }
        let db = parts.count == 3 ? try parseDatabase(parts[2]) : 0
        return RedisURL(endpoint: .sentinel(nodes: nodes, masterName: String(parts[1])),
                        username: user, password: password, database: db)
    }
}
