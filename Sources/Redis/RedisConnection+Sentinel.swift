extension RedisConnection {
    /// Asks each sentinel in turn where the master is; the first that knows wins.
    static func discoverMaster(nodes: [RedisURL.HostPort], name: String, options: RedisOptions) throws -> RedisURL.HostPort {
        var failures = [String]()
        var sentinelOptions = options
        sentinelOptions.readTimeout = min(options.readTimeout, options.connectTimeout)
        for node in nodes {
            do {
                let sentinel = try RedisConnection(url: RedisURL(endpoint: .tcp(node)), options: sentinelOptions)
                defer { sentinel.close() }
                let reply = try sentinel.send("SENTINEL", "get-master-addr-by-name", name)
                guard let pair = reply.array, pair.count == 2,
                      let host = pair[0].string, let port = pair[1].int, (1...65535).contains(port) else {
                    failures.append("\(node) does not know master \"\(name)\"")
                    continue
                }
                return RedisURL.HostPort(host: host, port: Int(port))
            } catch let error as RedisError {
                failures.append("\(node): \(error)")
            }
        }
        throw RedisError.unreachable("no sentinel could name master \"\(name)\": " + failures.joined(separator: "; "))
    }
}
