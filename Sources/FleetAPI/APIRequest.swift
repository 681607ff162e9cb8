import FoundationEssentials

/// One typed call: the route filled in, the body encoded, and the type a 2xx answer decodes to.
public struct APIRequest<Response: Decodable>: Sendable {
    public let route: Route
    /// The path with its parameters (and query), relative to a base URL.
    public let path: String
    public let body: [UInt8]

    public init(_ route: Route, path: String? = nil, body: [UInt8] = []) {
        self.route = route
        self.path = path ?? route.pattern
        self.body = body
    }

    /// A JSON body encoded as every client of this project encodes it: sorted keys, slashes as is.
    public init<B: Encodable>(_ route: Route, path: String? = nil, json: B) throws(CallError) {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do { self.init(route, path: path, body: [UInt8](try e.encode(json))) } catch {
            throw .encoding("cannot encode the body of \(route): \(error)")
        }
    }

    public var method: String { route.method }
}

/// A 2xx answer, decoded.
public struct APIAnswer<Value: Decodable>: Sendable where Value: Sendable {
    public var value: Value
    public var status: Int
    /// The base URL that answered.
    public var base: String
}

/// An answer whose body does not matter.
public struct Ignored: Decodable, Sendable {
    public init() {}
    public init(from decoder: any Decoder) throws {}
}
