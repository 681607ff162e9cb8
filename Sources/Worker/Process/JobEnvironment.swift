import BatchCore
import FoundationEssentials

/// Builds what a job's child receives besides its argv: a clean environment
/// and the parameters as JSON on stdin (DESIGN.md §7).
public enum JobEnvironment {
    /// The child's environment. Later sources win: the worker's variables named
    /// in `passthrough`, then `extra`, then `BATCH_PARAM_<NAME>` for each
    /// parameter, then `BATCH_EXECUTION_ID` and `BATCH_ATTEMPT`. Scalars are
    /// passed as `JSONValue.parameterString`, arrays and objects as JSON text,
    /// nulls not at all.
    public static func variables(executionID: String, attempt: Int, params: [String: JSONValue],
                                 extra: [String: String] = [:], passthrough: [String] = [],
                                 inherited: [String: String] = ProcessInfo.processInfo.environment) -> [String: String] {
        var env: [String: String] = [:]
        for name in passthrough { if let value = inherited[name] { env[name] = value } }
        for (name, value) in extra { env[name] = value }
        for (name, value) in params {
            let text: String?
            switch value {
            case .null: text = nil
            case .array, .object: text = String(decoding: json(value), as: UTF8.self)
            default: text = value.parameterString
            }
            if let text { env[parameterVariable(name)] = text }
        }
        env["BATCH_EXECUTION_ID"] = executionID
        env["BATCH_ATTEMPT"] = String(attempt)
        return env
    }

    /// `BATCH_PARAM_` and the name upper-cased, every byte that is not an ASCII
    /// letter or digit replaced by `_`.
    public static func parameterVariable(_ name: String) -> String {
        var out = "BATCH_PARAM_"
        for unit in name.utf8 {
            switch unit {
            case UInt8(ascii: "a")...UInt8(ascii: "z"): out.unicodeScalars.append(Unicode.Scalar(unit - 32))
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                out.unicodeScalars.append(Unicode.Scalar(unit))
            default: out.append("_")
            }
        }
        return out
    }

    /// The parameters as one JSON object with sorted keys, for the child's stdin.
    public static func stdinJSON(_ params: [String: JSONValue]) -> [UInt8] {
        json(.object(params))
    }

    private static func json(_ value: JSONValue) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding fails only for a non-finite number; the child then gets `null`.
        return (try? Array(encoder.encode(value))) ?? Array("null".utf8)
    }
}
