import HTTP

/// One endpoint of a daemon: its method and path pattern, declared once, registered by the
/// server from this value and filled in by the clients from the same value.
public struct Route: Sendable, Hashable, CustomStringConvertible {
    public let method: String
    /// `/api/orchestration/executions/{id}`: `{name}` segments are parameters.
    public let pattern: String

    public init(_ method: String, _ pattern: String) {
        self.method = method
        self.pattern = pattern
    }

    public var description: String { method + " " + pattern }

    /// The number of `{name}` segments.
    public var parameterCount: Int {
        pattern.split(separator: "/").filter { $0.hasPrefix("{") && $0.hasSuffix("}") }.count
    }

    /// The path with every parameter set to `value`.
    public func path(every value: String) -> String {
        var out = ""
        for part in pattern.split(separator: "/", omittingEmptySubsequences: false).dropFirst() {
            out += "/" + (part.hasPrefix("{") && part.hasSuffix("}") ? Self.escape(value) : String(part))
        }
        return out
    }

    /// The path with each `{name}` replaced, in order, by a value escaped so that it stays one
    /// segment (ids are ULIDs and pass unchanged). A wrong count of values is a programmer error.
    public func path(_ values: String...) -> String {
        guard !values.isEmpty else {
            precondition(!pattern.contains("{"), "route \(self) needs its parameters")
            return pattern
        }
        var out = ""
        var next = 0
        for part in pattern.split(separator: "/", omittingEmptySubsequences: false).dropFirst() {
            out += "/"
            if part.hasPrefix("{") && part.hasSuffix("}") {
                precondition(next < values.count, "route \(self) needs more parameters than \(values.count)")
                out += Self.escape(values[next])
                next += 1
            } else {
                out += part
            }
        }
        precondition(next == values.count, "route \(self) takes \(next) parameters, not \(values.count)")
        return out
    }

    /// Percent-encodes every byte but RFC 3986's unreserved characters.
    static func escape(_ s: String) -> String {
        let unreserved = s.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D || b == 0x2E || b == 0x5F || b == 0x7E
        }
        if unreserved && s != "." && s != ".." && !s.isEmpty { return s }
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for b in s.utf8 {
            let keep = (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D || b == 0x5F || b == 0x7E
            if keep { out.append(b) } else { out += [0x25, hex[Int(b >> 4)], hex[Int(b & 0xF)]] }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension Router {
    /// A blocking handler for `route`.
    public func add(_ route: Route, _ handler: @escaping @Sendable (HTTPRequest) throws -> HTTPResponse) {
        add(route.method, route.pattern, handler)
    }

    /// A deferred handler for `route` (see `addDeferred(_:_:_:)`).
    public func addDeferred(_ route: Route, _ handler: @escaping @Sendable (HTTPRequest, HTTPResponder) -> Void) {
        addDeferred(route.method, route.pattern, handler)
    }
}

/// What every daemon serves.
public enum DaemonAPI {
    /// 200 when the daemon can do its work; the body says why not.
    public static let health = Route("GET", "/health")
    /// Prometheus text format.
    public static let metrics = Route("GET", "/metrics")
    /// Liveness: the process works (its loops' heartbeats, never Redis; the systemd watchdog feeds on it).
    public static let livez = Route("GET", "/livez")
    /// Readiness: it can serve now (Redis answers, and what the daemon adds); load balancers send traffic by it.
    public static let readyz = Route("GET", "/readyz")
    public static let all = [health, metrics, livez, readyz]
}
