import Terminal

/// A yes/no question before something that cannot be undone (cancelling).
public struct ConfirmDialog: Equatable, Sendable {
    public var question: String
    /// What `y` does.
    public var action: ConsoleAction

    public init(question: String, action: ConsoleAction) { self.question = question; self.action = action }

    public enum Outcome: Equatable, Sendable { case waiting, yes, no }

    /// `y` confirms; `n`, `q` and Esc decline; other keys wait.
    public func handle(_ key: Key) -> Outcome {
        switch key {
        case .char("y"), .char("Y"): return .yes
        case .char("n"), .char("N"), .escape, .char("q"): return .no
        default: return .waiting
        }
    }
}
