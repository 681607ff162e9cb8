/// One problem found in a configuration: where it is and what is wrong.
public struct ConfigDiagnostic: Sendable, Hashable, CustomStringConvertible {
    /// The file, or a label such as `environment` or `command line` for overrides.
    public var file: String
    /// 1-based line number; 0 when the problem has no line (an override, a missing file).
    public var line: Int
    public var message: String

    public init(file: String, line: Int, message: String) {
        self.file = file; self.line = line; self.message = message
    }

    public var description: String {
        line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)"
    }
}

/// The error of the configuration layer: every problem found, one per line.
public struct ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Beyond this many, further problems are counted but not listed.
    public static let maxReported = 20

    public var diagnostics: [ConfigDiagnostic]
    /// Problems found beyond `maxReported`.
    public var omitted: Int

    public init(_ diagnostics: [ConfigDiagnostic]) {
        self.diagnostics = Array(diagnostics.prefix(Self.maxReported))
        self.omitted = max(0, diagnostics.count - Self.maxReported)
    }

    public var description: String {
        var lines = diagnostics.map(\.description)
        if omitted > 0 { lines.append("... and \(omitted) more problem\(omitted == 1 ? "" : "s")") }
        return lines.joined(separator: "\n")
    }
}

/// Collects diagnostics while a configuration is read, so one run reports many problems.
struct DiagnosticSink {
    private(set) var items: [ConfigDiagnostic] = []

    mutating func add(_ file: String, _ line: Int, _ message: String) {
        items.append(ConfigDiagnostic(file: file, line: line, message: message))
    }

    func throwIfAny() throws(ConfigError) {
        if !items.isEmpty { throw ConfigError(items) }
    }
}
