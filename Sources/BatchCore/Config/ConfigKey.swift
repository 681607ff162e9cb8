import Platform

/// How one key of a section is read into its typed field. Each builder returns an
/// error message (what was expected, and what was found) or nil.
struct ConfigKey<S> {
    let name: String
    let apply: (inout S, String) -> String?

    static func custom(_ name: String, _ apply: @escaping (inout S, String) -> String?) -> Self {
        Self(name: name, apply: apply)
    }

    static func duration(_ name: String, _ kp: WritableKeyPath<S, Duration>,
                         min: Duration = .zero, max: Duration? = nil) -> Self {
        Self(name: name) { s, v in
            guard let d = ConfigDuration.parse(v) else {
                return "expected a duration such as 500ms, 30s, 10m, 2h or 1d, found \"\(v)\""
            }
            if d < min { return "\(v) is too short (at least \(ConfigDuration.format(min)))" }
            if let max, d > max { return "\(v) is too long (at most \(ConfigDuration.format(max)))" }
            s[keyPath: kp] = d
            return nil
        }
    }

    /// A duration that, when not given, stands for another key's (nil).
    static func optionalDuration(_ name: String, _ kp: WritableKeyPath<S, Duration?>, min: Duration = .zero) -> Self {
        let read = ConfigKey<Duration>.duration(name, \.self, min: min)
        return Self(name: name) { s, v in
            var d = Duration.zero
            if let problem = read.apply(&d, v) { return problem }
            s[keyPath: kp] = d
            return nil
        }
    }

    static func int(_ name: String, _ kp: WritableKeyPath<S, Int>, _ range: ClosedRange<Int>) -> Self {
        Self(name: name) { s, v in
            guard let n = Int(v) else { return "expected a whole number, found \"\(v)\"" }
            guard range.contains(n) else { return "\(n) is out of range \(range.lowerBound)..\(range.upperBound)" }
            s[keyPath: kp] = n
            return nil
        }
    }

    static func bytes(_ name: String, _ kp: WritableKeyPath<S, Int>, _ range: ClosedRange<Int>) -> Self {
        Self(name: name) { s, v in
            guard let n = ByteSize.parse(v) else {
                return "expected a size such as 512, 64KiB, 1MiB or 10MB, found \"\(v)\""
            }
            guard range.contains(n) else {
                return "\(v) is out of range \(ByteSize.format(range.lowerBound))..\(ByteSize.format(range.upperBound))"
            }
            s[keyPath: kp] = n
            return nil
        }
    }

    static func percent(_ name: String, _ kp: WritableKeyPath<S, Double>) -> Self {
        Self(name: name) { s, v in
            let t = v.hasSuffix("%") ? String(v.dropLast()).trimmingWhitespace() : v
            guard let p = Double(t), p > 0, p <= 100 else {
                return "expected a percentage above 0 and at most 100, found \"\(v)\""
            }
            s[keyPath: kp] = p
            return nil
        }
    }

    static func bool(_ name: String, _ kp: WritableKeyPath<S, Bool>) -> Self {
        Self(name: name) { s, v in
            guard let b = ConfigBool.parse(v) else { return "expected yes or no (also true/false, on/off), found \"\(v)\"" }
            s[keyPath: kp] = b
            return nil
        }
    }

    /// An optional string: empty or `none` means unset.
    static func optional(_ name: String, _ kp: WritableKeyPath<S, String?>) -> Self {
        Self(name: name) { s, v in
            s[keyPath: kp] = (v.isEmpty || v == "none") ? nil : v
            return nil
        }
    }

    static func choice<E: RawRepresentable & CaseIterable>(_ name: String, _ kp: WritableKeyPath<S, E>) -> Self
    where E.RawValue == String {
        Self(name: name) { s, v in
            guard let e = E(rawValue: v.lowercased()) else {
                let all = E.allCases.map(\.rawValue)
                let hint = Suggestion.closest(to: v, in: all).map { " (did you mean \"\($0)\"?)" } ?? ""
                return "expected one of \(all.joined(separator: ", ")), found \"\(v)\"\(hint)"
            }
            s[keyPath: kp] = e
            return nil
        }
    }

    static func list(_ name: String, _ kp: WritableKeyPath<S, [String]>,
                     check: @escaping (String) -> String? = { _ in nil }) -> Self {
        Self(name: name) { s, v in
            let items = ConfigList.parse(v)
            for item in items { if let e = check(item) { return e } }
            s[keyPath: kp] = items
            return nil
        }
    }

    /// An address a daemon listens on: an IPv4 address and a port, as the HTTP server binds.
    /// `localhost` stands for 127.0.0.1 and an empty host (`:8080`) for every interface
    /// (0.0.0.0); IPv6 addresses and other host names are refused here rather than at start.
    static func listenAddress(_ name: String, _ kp: WritableKeyPath<S, HostPort>) -> Self {
        Self(name: name) { s, v in
            guard var hp = HostPort(v) else {
                return "expected IPV4:PORT such as 127.0.0.1:20200 or :8080 (every interface), found \"\(v)\""
            }
            if hp.isIPv6 {
                return "\(v): the HTTP server listens on IPv4 only; use 127.0.0.1:\(hp.port) (loopback) or 0.0.0.0:\(hp.port) (every interface)"
            }
            if hp.host.isEmpty { hp.host = "0.0.0.0" }
            if hp.host == "localhost" { hp.host = "127.0.0.1" }
            guard HostPort.isIPv4Literal(hp.host) else {
                return "\(v): the listen host must be an IPv4 address such as 127.0.0.1 or 0.0.0.0, not a name"
            }
            s[keyPath: kp] = hp
            return nil
        }
    }
}

/// Booleans as the configuration writes them.
public enum ConfigBool {
    public static func parse(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "yes", "true", "on", "1": return true
        case "no", "false", "off", "0": return false
        default: return nil
        }
    }
}

/// Comma-separated lists; empty items are dropped, so an empty value is an empty list.
public enum ConfigList {
    public static func parse(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
    }
}

/// Checks shared by several keys.
enum ConfigCheck {
    static func httpURL(_ v: String) -> String? {
        v.hasPrefix("http://") && v.count > 7 ? nil : "expected an http:// URL, found \"\(v)\""
    }

    static func redisURL(_ v: String) -> String? {
        (v.hasPrefix("redis://") || v.hasPrefix("unix://") || v.hasPrefix("redis+sentinel://")) && v.count > 8
            ? nil : "expected redis://HOST:PORT/DB, unix:///path/to/redis.sock or redis+sentinel://HOST:PORT/MASTER, found \"\(Secrets.redactedURL(v))\""
    }

    /// Names of jobs, schedules, ids and namespaces: they end up inside Redis keys and URLs.
    static func name(_ v: String) -> String? {
        JobType.isValidName(v) ? nil : "\"\(v)\" is not a valid name (use 1 to \(JobType.maxNameLength) letters, digits, '-', '_' and '.')"
    }
}
