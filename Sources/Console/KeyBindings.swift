import Terminal

/// The commands of the main views, and the keys bound to them: one table that both
/// the key handler and the help screen read.
enum Command: Sendable, Equatable {
    case up, down, pageUp, pageDown, top, bottom
    case open, trigger, cancel, retry, filter, sort, invertSort
    case view(ConsoleView)
    case help, quit, refresh
}

struct KeyBinding: Sendable {
    var keys: [Key]
    /// How the help screen names the keys.
    var label: String
    var command: Command
    var help: String
}

enum KeyBindings {
    static let main: [KeyBinding] = [
        KeyBinding(keys: [.up, .char("k")], label: "↑ k", command: .up, help: "move up"),
        KeyBinding(keys: [.down, .char("j")], label: "↓ j", command: .down, help: "move down"),
        KeyBinding(keys: [.pageUp, .ctrl("b")], label: "PgUp", command: .pageUp, help: "page up"),
        KeyBinding(keys: [.pageDown, .ctrl("f"), .char(" ")], label: "PgDn Space", command: .pageDown, help: "page down"),
        KeyBinding(keys: [.home, .char("g")], label: "Home g", command: .top, help: "first row"),
        KeyBinding(keys: [.end, .char("G")], label: "End G", command: .bottom, help: "last row"),
        KeyBinding(keys: [.enter], label: "Enter", command: .open, help: "open the execution (parameters, attempts, output)"),
        KeyBinding(keys: [.char("t"), .f(5)], label: "t F5", command: .trigger, help: "trigger a job"),
        KeyBinding(keys: [.char("c"), .f(9)], label: "c F9", command: .cancel, help: "cancel the execution (asks first)"),
        KeyBinding(keys: [.char("r")], label: "r", command: .retry, help: "retry a finished execution"),
        KeyBinding(keys: [.char("/"), .f(4)], label: "/ F4", command: .filter, help: "filter rows (job, id, state...)"),
        KeyBinding(keys: [.char("s"), .f(6)], label: "s F6", command: .sort, help: "sort by the next column"),
        KeyBinding(keys: [.char("I")], label: "I", command: .invertSort, help: "invert the sort order"),
        KeyBinding(keys: [.char("1")], label: "1", command: .view(.executions), help: "executions"),
        KeyBinding(keys: [.char("2")], label: "2", command: .view(.workers), help: "workers and breakers"),
        KeyBinding(keys: [.char("3")], label: "3", command: .view(.schedules), help: "schedules"),
        KeyBinding(keys: [.char("4")], label: "4", command: .view(.events), help: "event log"),
        KeyBinding(keys: [.ctrl("l")], label: "Ctrl-L", command: .refresh, help: "fetch and redraw now"),
        KeyBinding(keys: [.char("?"), .char("h"), .f(1)], label: "? h F1", command: .help, help: "this help"),
        KeyBinding(keys: [.char("q"), .f(10), .ctrl("c")], label: "q F10", command: .quit, help: "quit"),
    ]

    static func command(for key: Key) -> Command? {
        main.first { $0.keys.contains(key) }?.command
    }
}
