import Terminal

/// The bottom line, htop's function bar: each key then what it does, for the mode
/// the console is in.
enum FunctionBar {
    static func items(for state: ConsoleState) -> [(String, String)] {
        switch state.overlay {
        case .filtering: return [("Enter", "Done"), ("Esc", "Clear"), ("^U", "Erase"), ("↑↓", "Move")]
        case .trigger(let form):
            if case .chooseJob = form.step { return [("↑↓", "Choose"), ("Enter", "Select"), ("Esc", "Cancel")] }
            return [("Tab↑↓", "Field"), ("Enter", "Next/Run"), ("F2", "Run"), ("^U", "Erase"), ("Esc", "Cancel")]
        case .confirm: return [("y", "Yes"), ("n", "No")]
        case .help: return [("any key", "Back")]
        case .none: break
        }
        if let log = state.logView {
            if log.typing != nil { return [("Enter", "Find"), ("Esc", "Cancel"), ("^U", "Erase")] }
            return [("Esc", "Back"), ("↑↓", "Scroll"), ("f", log.follow ? "Unfollow" : "Follow"), ("w", "Wrap"),
                    ("/", "Search"), ("n/N", "Next/Prev"), ("c", "Cancel"), ("F10", "Quit")]
        }
        if state.openExecution != nil {
            return [("Esc", "Back"), ("↑↓", "Scroll"), ("c", "Cancel"), ("r", "Retry"), ("t", "Trigger"), ("F10", "Quit")]
        }
        // Each view shows the keys that act on its rows.
        switch state.view {
        case .workers:
            return [("?", "Help"), ("/", "Filter"), ("s", "Sort"), ("O", "Force open"), ("C", "Force close"), ("R", "Reset"),
                    ("t", "Trigger"), ("1-4", "View"), ("q", "Quit")]
        case .schedules:
            return [("?", "Help"), ("/", "Filter"), ("s", "Sort"), ("P", "Pause"), ("U", "Resume"), ("T", "Run now"),
                    ("Enter", "Open"), ("1-4", "View"), ("q", "Quit")]
        case .executions, .events:
            return [("?", "Help"), ("/", "Filter"), ("s", "Sort"), ("Enter", "Open"), ("t", "Trigger"),
                    ("c", "Cancel"), ("r", "Retry"), ("1-4", "View"), ("q", "Quit")]
        }
    }

    static func draw(_ state: ConsoleState, into canvas: Canvas, row: Int) {
        canvas.fillRow(row, .functionLabel)
        var x = 0
        for (key, label) in items(for: state) {
            guard x < canvas.size.cols else { break }
            canvas.put(row, x, key, .functionKey)
            x += TextWidth.width(key)
            canvas.put(row, x, label + " ", .functionLabel)
            x += TextWidth.width(label) + 1
        }
    }
}
