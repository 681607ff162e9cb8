import FoundationEssentials

extension RedisURL {
    /// `text` parsed, with the password read from `passwordFile` when one is given
    /// (`redis.password-file`): the file's first line, without surrounding whitespace.
    /// It overrides a password written in the URL, so the secret need not sit in a
    /// world-readable configuration, the environment or a command line.
    public init(parsing text: String, passwordFile: String?) throws {
        try self.init(parsing: text)
        if let passwordFile, !passwordFile.isEmpty {
            password = try Self.readPassword(passwordFile)
        }
    }

    /// The password in `path`; a missing, unreadable, empty or multi-line file is an error that names it.
    public static func readPassword(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RedisURLError.passwordFile("cannot read the Redis password file \(path) (redis.password-file): missing, or not readable by this user")
        }
        let lines = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline)
            .map { line in String(line.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed()) }
            .filter { !$0.isEmpty }
        guard let first = lines.first else {
            throw RedisURLError.passwordFile("the Redis password file \(path) is empty (redis.password-file)")
        }
        guard lines.count == 1 else {
            throw RedisURLError.passwordFile("the Redis password file \(path) has \(lines.count) lines; it must hold the password alone on one line (redis.password-file)")
        }
        return first
    }
}

/// A problem with where the Redis password comes from.
public enum RedisURLError: Error, CustomStringConvertible, Sendable {
    case passwordFile(String)

    public var description: String {
        switch self {
        case .passwordFile(let s): return s
        }
    }
}
