/// Hiding secrets in text meant for logs, errors and terminals.
public enum Secrets {
    /// A URL with its credentials masked: whatever stands between `://` and the last `@`
    /// (`redis://user:pw@host` → `redis://***@host`), and the value of a `password=`
    /// query parameter (`unix:///run/redis.sock?password=pw` → `...?password=***`).
    public static func redactedURL(_ url: String) -> String {
        var out = url
        if let scheme = out.firstRange(of: "://"), let at = out[scheme.upperBound...].lastIndex(of: "@") {
            out = String(out[..<scheme.upperBound]) + "***" + String(out[at...])
        }
        var from = out.startIndex
        while let p = out[from...].firstRange(of: "password=") {
            let end = out[p.upperBound...].firstIndex(of: "&") ?? out.endIndex
            out = String(out[..<p.upperBound]) + "***" + String(out[end...])
            from = out.index(p.upperBound, offsetBy: 3)
        }
        return out
    }
}
