import FoundationEssentials

/// Why a request's parameters do not fit a job type's schema. Each problem names the parameter.
public struct ParamValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        public var parameter: String
        public var reason: String
        public var description: String { "parameter \(ParamSpec.quote(parameter)): \(reason)" }
    }

    public var problems: [Problem]
    public init(problems: [Problem]) { self.problems = problems }
    public var description: String { problems.map(\.description).joined(separator: "; ") }
}

extension JobType {
    /// Checks request parameters against the schema and returns them as strings with the
    /// defaults filled in. Refuses undeclared, missing required, mistyped, out-of-range,
    /// non-matching and too long values; every problem is reported, sorted by parameter name.
    public func validate(_ given: [String: JSONValue]) -> Result<[String: String], ParamValidationError> {
        var out: [String: String] = [:]
        var problems: [ParamValidationError.Problem] = []
        let declared = params.map(\.name)
        for name in given.keys.sorted() where param(name) == nil {
            let hint = Suggestion.closest(to: name, in: declared).map { " (did you mean \"\($0)\"?)" } ?? ""
            let known = declared.isEmpty ? "job type \"\(self.name)\" takes no parameters"
                                         : "declared: \(declared.joined(separator: ", "))"
            problems.append(.init(parameter: name, reason: "unknown parameter\(hint); \(known)"))
        }
        for spec in params {
            let value: String
            switch given[spec.name] {
            case nil, .null?:
                if let d = spec.defaultValue { out[spec.name] = d }
                else if spec.required { problems.append(.init(parameter: spec.name, reason: "is required")) }
                continue
            case .array?, .object?:
                problems.append(.init(parameter: spec.name, reason: "must be a string or a number, not \(given[spec.name]!.kindName)"))
                continue
            case .number(let n)? where n.rounded() != n && Self.isInt(spec.type):
                problems.append(.init(parameter: spec.name, reason: "\(n) is not a whole number"))
                continue
            case let v?:
                value = v.parameterString ?? ""
            }
            if let p = spec.problem(with: value) {
                problems.append(.init(parameter: spec.name, reason: p))
            } else {
                out[spec.name] = value
            }
        }
        if !problems.isEmpty {
            return .failure(ParamValidationError(problems: problems.sorted { $0.parameter < $1.parameter }))
        }
        return .success(out)
    }

    private static func isInt(_ t: ParamType) -> Bool {
        if case .int = t { return true }
        return false
    }

    /// The child's argv: each `{name}` element becomes the parameter's value as one
    /// literal argument (never split, globbed or interpreted), `{execution-id}` and
    /// `{attempt}` the execution's. An optional parameter without a value becomes an
    /// empty argument, so positions never shift.
    public func argv(for params: [String: String], executionId: String, attempt: Int) -> [String] {
        argv.map { element in
            guard let name = Self.placeholder(element) else { return element }
            switch name {
            case "execution-id": return executionId
            case "attempt": return String(attempt)
            default: return params[name] ?? ""
            }
        }
    }

    /// The name inside a `{name}` element, or nil when the element is literal text.
    static func placeholder(_ element: String) -> String? {
        guard element.count > 2, element.hasPrefix("{"), element.hasSuffix("}") else { return nil }
        let inner = element.dropFirst().dropLast()
        return inner.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) ? String(inner) : nil
    }
}

extension JSONValue {
    var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}
