/// What a piece of text is, not what colour it has: `CursesScreen` maps each role
/// to colours and attributes (or to plain attributes under `NO_COLOR`), and tests
/// read roles back from a `GridCanvas`.
public enum Style: Int, CaseIterable, Sendable, Hashable {
    case normal
    case header
    case meterLabel
    case meterBar
    case meterValue
    case title
    case tab
    case tabActive
    case selection
    case stateQueued
    case stateRunning
    case stateSucceeded
    case stateFailed
    case stateCancelled
    case dim
    case status
    case error
    case functionKey
    case functionLabel
    case dialog
    case input
}
