/// A job type's `unique` setting: which parameters make two requests the same. While an
/// execution with the same values of them is scheduled, queued or running, a new request
/// answers that execution (`duplicate: true`) instead of creating another; the lock ends with
/// the execution's terminal state, whatever it is.
///
/// On the wire (the job type JSON a worker registers) it is the string `"params"` or a list
/// of parameter names.
public enum UniqueSpec: Sendable, Hashable, Codable {
    /// Every declared parameter.
    case params
    /// These parameters only (each a declared one).
    case names([String])

    /// `unique = params`, or a list of parameter names separated by commas; nil for an empty list.
    public static func parse(_ text: String) -> UniqueSpec? {
        let items = ConfigList.parse(text)
        if items == ["params"] { return .params }
        return items.isEmpty ? nil : .names(items)
    }

    /// How the configuration writes it.
    public var text: String {
        switch self {
        case .params: "params"
        case .names(let n): n.joined(separator: ", ")
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let names = try? c.decode([String].self) { self = .names(names); return }
        let word = try c.decode(String.self)
        guard word == "params" else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "expected \"params\" or a list of parameter names")
        }
        self = .params
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .params: try c.encode("params")
        case .names(let n): try c.encode(n)
        }
    }
}

extension JobType {
    /// The parameters `unique` names, sorted; nil when the job type is not unique.
    public var uniqueParams: [String]? {
        switch unique {
        case nil: nil
        case .params: params.map(\.name).sorted()
        case .names(let n): Set(n).sorted()
        }
    }

    /// The lock of a request with these validated parameters: SHA-256 (hex) of the job type's
    /// name and the chosen parameters' names and values, each length-prefixed so that no two
    /// different requests spell the same text (an absent parameter differs from an empty one);
    /// nil when the job type is not unique.
    public func uniqueKey(_ values: [String: String]) -> String? {
        guard let names = uniqueParams else { return nil }
        var text = "\(name.utf8.count):\(name)"
        for n in names {
            text += "|\(n.utf8.count):\(n)"
            if let v = values[n] { text += "=\(v.utf8.count):\(v)" } else { text += "-" }
        }
        return SHA256.hex(Array(text.utf8))
    }
}
