import HTTP

/// Why one base URL did not take a call.
public enum CallFailure: Sendable, Equatable, CustomStringConvertible {
    /// The request could not be sent or its answer read.
    case transport(HTTPClientError)
    /// An error answer.
    case refused(Problem)
    /// A 2xx answer whose body is not the expected type.
    case undecodable(status: Int, text: String, error: String)

    public var description: String {
        switch self {
        case .transport(let e): return "\(e)"
        case .refused(let p): return "HTTP \(p.status)"
        case .undecodable(let status, _, _): return "answered \(status) with a body that is not the expected answer"
        }
    }

    /// The request never left: nobody can have acted on it.
    public var notSent: Bool {
        if case .transport(.connectionRefused) = self { return true }
        return false
    }
}

/// How a call failed, with every base URL it tried.
public enum CallError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No base URL to try.
    case noBaseURL
    /// The body could not be encoded (a programmer's error, reported rather than trapped).
    case encoding(String)
    /// A failure that ends the call (one base URL that may have acted, or answered for good);
    /// `before` lists the base URLs passed over first.
    case failed(base: String, CallFailure, before: [Tried])
    /// Every base URL was tried and none took it.
    case noneTook([Tried])

    /// One base URL tried and passed over.
    public struct Tried: Sendable, Equatable, CustomStringConvertible {
        public var base: String
        public var failure: CallFailure
        public var description: String { "\(base): \(failure)" }
    }

    public var description: String {
        switch self {
        case .noBaseURL: return "no base URL to send to"
        case .encoding(let m): return m
        case .failed(let base, let f, _): return "\(base): \(f)"
        case .noneTook(let tried): return tried.map(\.description).joined(separator: "; ")
        }
    }
}
