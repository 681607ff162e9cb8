import FoundationEssentials
import Platform

/// Execution ids: 26 characters of Crockford base32, a 48-bit millisecond time
/// followed by 80 random bits (the ULID layout), so ids sort by creation time.
public enum ExecutionID {
    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    /// A new id for the given Unix time in milliseconds.
    public static func make(unixMillis: UInt64, random: inout some RandomNumberGenerator) -> String {
        var out = [UInt8](repeating: 0, count: 26)
        var t = unixMillis & 0xFFFF_FFFF_FFFF
        for i in stride(from: 9, through: 0, by: -1) {
            out[i] = alphabet[Int(t & 31)]
            t >>= 5
        }
        var hi = random.next() & 0xFF_FFFF_FFFF  // 40 bits
        var lo = random.next() & 0xFF_FFFF_FFFF  // 40 bits
        for i in stride(from: 25, through: 18, by: -1) { out[i] = alphabet[Int(lo & 31)]; lo >>= 5 }
        for i in stride(from: 17, through: 10, by: -1) { out[i] = alphabet[Int(hi & 31)]; hi >>= 5 }
        return String(decoding: out, as: UTF8.self)
    }

    /// A new id from the wall clock and the process's generator (seeded from the system's random source).
    public static func make() -> String {
        let ms = UInt64(Date().timeIntervalSince1970 * 1000)
        return FastRandom.withShared { make(unixMillis: ms, random: &$0) }
    }

    /// Whether a string has the shape of an execution id (checked before it reaches a key).
    public static func isValid(_ s: String) -> Bool {
        let u = Array(s.utf8)
        return u.count == 26 && u.allSatisfy { alphabet.contains($0) }
    }
}
