import Terminal

/// A yes/no question before any action on the fleet: cancel, retry, a breaker override,
/// a schedule paused, resumed or run now.
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
