import BatchCore
import Resilience
import Terminal

/// The commands of the main views, and the keys bound to them: one table that both
/// the key handler and the help screen read.
enum Command: Sendable, Equatable {
    case up, down, pageUp, pageDown, top, bottom
    case open, log, tag, tagAll, untag, trigger, cancel, retry, filter, sort, invertSort
    /// Workers view: the selected worker's breakers, in every gateway.
    case breaker(BreakerOverride)
    /// Schedules view: the selected schedule.
    case pauseSchedule, resumeSchedule, triggerSchedule
    case view(ConsoleView)
    case help, quit, refresh
}

struct KeyBinding: Sendable {
    var keys: [Key]
    var command: Command
    var help: String
    /// How the help screen names the keys: every one of them, from the keys themselves.
    var label: String { keys.map(\.helpName).joined(separator: " ") }
}

/// Keys read outside the main views' table (in a form, a dialog, the detail view),
/// listed on the help screen too, so that the help names every key batchtop reads.
struct ModeKeys: Sendable {
    var mode: String
    var keys: [Key]
    var help: String
    var label: String { keys.map(\.helpName).joined(separator: " ") }
}

enum KeyBindings {
    static let main: [KeyBinding] = [
        KeyBinding(keys: [.up, .char("k")], command: .up, help: "move up"),
        KeyBinding(keys: [.down, .char("j")], command: .down, help: "move down"),
        KeyBinding(keys: [.pageUp, .ctrl("b")], command: .pageUp, help: "page up"),
        KeyBinding(keys: [.pageDown, .ctrl("f")], command: .pageDown, help: "page down"),
        KeyBinding(keys: [.home, .char("g")], command: .top, help: "first row"),
        KeyBinding(keys: [.end, .char("G")], command: .bottom, help: "last row"),
        KeyBinding(keys: [.enter], command: .open, help: "open the row's execution"),
        KeyBinding(keys: [.char("l")], command: .log, help: "the execution's whole output, full screen"),
        KeyBinding(keys: [.char(" ")], command: .tag, help: "tag the execution, or untag it"),
        KeyBinding(keys: [.char("a")], command: .tagAll, help: "tag every execution shown (the filter's)"),
        KeyBinding(keys: [.char("u")], command: .untag, help: "untag all"),
        KeyBinding(keys: [.char("t"), .f(5)], command: .trigger, help: "trigger a job"),
        KeyBinding(keys: [.char("c"), .f(9)], command: .cancel, help: "cancel the execution or the tagged (asks)"),
        KeyBinding(keys: [.char("r")], command: .retry, help: "retry a finished one or the tagged (asks)"),
        // Acting on the fleet takes a capital: the workers view's and the schedules view's
        // own keys, asked before they are done, like c and r.
        KeyBinding(keys: [.char("O")], command: .breaker(.forceOpen), help: "workers: force the breaker open on every gateway (asks)"),
        KeyBinding(keys: [.char("C")], command: .breaker(.forceClose), help: "workers: force the breaker closed on every gateway (asks)"),
        KeyBinding(keys: [.char("R")], command: .breaker(.reset), help: "workers: reset the breaker to automatic (asks)"),
        KeyBinding(keys: [.char("P")], command: .pauseSchedule, help: "schedules: pause for every scheduler (asks)"),
        KeyBinding(keys: [.char("U")], command: .resumeSchedule, help: "schedules: resume (asks)"),
        KeyBinding(keys: [.char("T")], command: .triggerSchedule, help: "schedules: run its job now (asks)"),
        KeyBinding(keys: [.char("/"), .f(4)], command: .filter, help: "filter: all words must match"),
        KeyBinding(keys: [.char("s"), .f(6)], command: .sort, help: "sort by the next column"),
        KeyBinding(keys: [.char("I")], command: .invertSort, help: "invert the sort order"),
        KeyBinding(keys: [.char("1")], command: .view(.executions), help: "executions"),
        KeyBinding(keys: [.char("2")], command: .view(.workers), help: "workers and breakers"),
        KeyBinding(keys: [.char("3")], command: .view(.schedules), help: "schedules"),
        KeyBinding(keys: [.char("4")], command: .view(.events), help: "event log"),
        KeyBinding(keys: [.ctrl("l")], command: .refresh, help: "fetch and redraw now"),
        KeyBinding(keys: [.char("?"), .char("h"), .f(1)], command: .help, help: "this help"),
        KeyBinding(keys: [.char("q"), .f(10), .ctrl("c")], command: .quit, help: "quit"),
    ]

    /// The keys of the other modes, as `ConsoleState.handle` and `TriggerForm` read them.
    static let modes: [ModeKeys] = [
        ModeKeys(mode: "detail, log", keys: [.up, .down, .pageUp, .pageDown, .char("k"), .char("j")], help: "scroll the output"),
        ModeKeys(mode: "detail", keys: [.end, .char("G")], help: "follow the output's end"),
        ModeKeys(mode: "detail", keys: [.escape, .enter, .left, .backspace, .char("q")], help: "back to the list"),
        ModeKeys(mode: "log", keys: [.char("f"), .char("w"), .char("/"), .char("n"), .char("N")],
                 help: "follow the end, wrap, search, next match, previous"),
        ModeKeys(mode: "log", keys: [.escape, .char("q"), .char("h")], help: "back"),
        ModeKeys(mode: "filter", keys: [.enter, .escape, .ctrl("u")], help: "keep, clear the filter; erase what was typed"),
        ModeKeys(mode: "trigger", keys: [.tab, .backTab], help: "next, previous field"),
        ModeKeys(mode: "trigger", keys: [.f(2), .ctrl("s")], help: "run from any field"),
        ModeKeys(mode: "trigger", keys: [.escape, .f(10), .ctrl("c")], help: "close the form"),
        ModeKeys(mode: "confirm", keys: [.char("y"), .char("n"), .escape, .f(10), .ctrl("c")], help: "yes (y), no (the others)"),
    ]

    static func command(for key: Key) -> Command? {
        main.first { $0.keys.contains(key) }?.command
    }
}

extension Key {
    /// The key as the help screen and the man page write it: `Ctrl-B`, `F2`, `PgUp`, `Space`.
    var helpName: String {
        switch self {
        case .char(" "): return "Space"
        case .char(let c): return String(c)
        case .ctrl(let c): return "Ctrl-" + String(c).uppercased()
        case .up: return "↑"
        case .down: return "↓"
        case .left: return "←"
        case .right: return "→"
        case .pageUp: return "PgUp"
        case .pageDown: return "PgDn"
        case .home: return "Home"
        case .end: return "End"
        case .enter: return "Enter"
        case .escape: return "Esc"
        case .tab: return "Tab"
        case .backTab: return "S-Tab"
        case .backspace: return "Bksp"
        case .delete: return "Del"
        case .f(let n): return "F\(n)"
        case .resize: return "resize"
        case .unknown(let n): return "key \(n)"
        }
    }
}
