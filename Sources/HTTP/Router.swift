import Synchronization

/// Maps method and path patterns such as `/api/batch/executions/{id}/cancel` to handlers.
/// Routes are added before the server starts; lookups are thread-safe.
public final class Router: Sendable {
    /// What runs a matched request.
    public enum Handler: Sendable {
        /// Runs on the server's bounded handler pool; may block (Redis, disk).
        case blocking(@Sendable (HTTPRequest) throws -> HTTPResponse)
        /// Runs on the event loop and must return at once; answers later, from any thread, through the responder.
        case deferred(@Sendable (HTTPRequest, HTTPResponder) -> Void)
        /// Runs on the handler pool; writes a chunked response from any thread through the writer.
        case streaming(@Sendable (HTTPRequest, HTTPStreamWriter) -> Void)
    }

    struct Route: Sendable {
        var method: String
        var pattern: String
        var segments: [Segment]
        var handler: Handler
    }

    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    /// The outcome of a lookup.
    public enum Match: Sendable {
        /// The handler, the bound parameters, and the route's pattern (a bounded label for metrics).
        case found(Handler, [String: String], pattern: String)
        /// The path is known but not for this method; the allowed methods, sorted.
        case methodNotAllowed([String])
        case notFound
    }

    private let routes = Mutex<[Route]>([])

    public init() {}

    /// A blocking handler, run on the handler pool.
    public func add(_ method: String, _ pattern: String, _ handler: @escaping @Sendable (HTTPRequest) throws -> HTTPResponse) {
        insert(method, pattern, .blocking(handler))
    }

    /// A deferred handler: called on the event loop, it must return at once and answer later through the responder.
    public func addDeferred(_ method: String, _ pattern: String, _ handler: @escaping @Sendable (HTTPRequest, HTTPResponder) -> Void) {
        insert(method, pattern, .deferred(handler))
    }

    /// A streaming handler: called on the handler pool; the writer may be kept and used from any thread.
    public func addStreaming(_ method: String, _ pattern: String, _ handler: @escaping @Sendable (HTTPRequest, HTTPStreamWriter) -> Void) {
        insert(method, pattern, .streaming(handler))
    }

    func insert(_ method: String, _ pattern: String, _ handler: Handler) {
        precondition(pattern.hasPrefix("/"), "route pattern \(pattern) must start with /")
        let segments: [Segment] = pattern.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map { part in
            if part.hasPrefix("{") && part.hasSuffix("}") && part.count > 2 {
                return .parameter(String(part.dropFirst().dropLast()))
            }
            return .literal(String(part))
        }
        routes.withLock { $0.append(Route(method: method.uppercased(), pattern: pattern, segments: segments, handler: handler)) }
    }

    /// Finds the handler for a decoded path; `HEAD` falls back to `GET`.
    public func match(method: String, path: String) -> Match {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        return routes.withLock { routes in
            var allowed: Set<String> = []
            var fallback: (Handler, [String: String], String)?
            for route in routes {
                guard let parameters = Self.bind(route.segments, parts) else { continue }
                if route.method == method { return .found(route.handler, parameters, pattern: route.pattern) }
                if method == "HEAD" && route.method == "GET" && fallback == nil { fallback = (route.handler, parameters, route.pattern) }
                allowed.insert(route.method)
            }
            if let fallback { return .found(fallback.0, fallback.1, pattern: fallback.2) }
            return allowed.isEmpty ? .notFound : .methodNotAllowed(allowed.sorted())
        }
    }

    static func bind(_ segments: [Segment], _ parts: ArraySlice<Substring>) -> [String: String]? {
        guard segments.count == parts.count else { return nil }
        var parameters: [String: String] = [:]
        for (segment, part) in zip(segments, parts) {
            switch segment {
            case .literal(let literal):
                if literal != part { return nil }
            case .parameter(let name):
                if part.isEmpty { return nil }
                parameters[name] = String(part)
            }
        }
        return parameters
    }
}
