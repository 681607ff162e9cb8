import Platform

/// A listen or connect address: `127.0.0.1:20200`, `[::1]:80`, `localhost:8080`,
/// or `:8080` (empty host: every interface).
public struct HostPort: Sendable, Hashable, Codable, CustomStringConvertible, LosslessStringConvertible {
    /// The host without brackets; empty means every interface.
    public var host: String
    public var port: UInt16

    public init(host: String, port: UInt16) {
        self.host = host; self.port = port
    }

    /// Parses `HOST:PORT`; nil when the shape or the port is wrong.
    public init?(_ text: String) {
        let t = text.trimmingWhitespace()
        let hostPart: Substring
        let portPart: Substring
        if t.hasPrefix("[") {
            guard let close = t.firstIndex(of: "]") else { return nil }
            hostPart = t[t.index(after: t.startIndex)..<close]
            let rest = t[t.index(after: close)...]
            guard rest.hasPrefix(":"), !hostPart.isEmpty else { return nil }
            portPart = rest.dropFirst()
        } else {
            guard let colon = t.lastIndex(of: ":") else { return nil }
            hostPart = t[..<colon]
            // An unbracketed IPv6 address is ambiguous: refuse it.
            guard !hostPart.contains(":"), !hostPart.contains(where: { $0 == " " || $0 == "/" }) else { return nil }
            portPart = t[t.index(after: colon)...]
        }
        guard !portPart.isEmpty, portPart.allSatisfy({ $0.isASCII && $0.isNumber }), let port = UInt16(portPart) else { return nil }
        self.host = String(hostPart)
        self.port = port
    }

    /// Whether `host` is a dotted-quad IPv4 address such as `127.0.0.1`.
    public static func isIPv4Literal(_ host: String) -> Bool {
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { p in
            !p.isEmpty && p.count <= 3 && p.allSatisfy { $0.isASCII && $0.isNumber } && Int(p)! <= 255
        }
    }

    /// Whether the host is an IPv6 literal (written in brackets).
    public var isIPv6: Bool { host.contains(":") }

    public var description: String {
        isIPv6 ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let hp = HostPort(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "\"\(text)\" is not HOST:PORT"))
        }
        self = hp
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
